// A jspurefix (npm) initiator for interop tests:
//   node jspurefix_peer.js JSPUREFIX_MODULES PORT DICTIONARY SENDER TARGET ORDERS
// Logs on with FIX 4.4, sends ORDERS NewOrderSingles, checks that every echo comes back in order
// with its ClOrdID, logs out, and exits 0 only if all came back intact. Prints "DONE n".
'use strict'
const path = require('path')
const [modules, port, dictionary, sender, target, ordersText] = process.argv.slice(2)
const jsp = path.join(modules, 'jspurefix', 'dist')
require(path.join(modules, 'reflect-metadata'))
const { SessionLauncher } = require(path.join(jsp, 'runtime'))
const { AsciiSession } = require(path.join(jsp, 'transport'))
const config = require(path.join(jsp, 'config'))

const orders = parseInt(ordersText, 10)
let ok = true

class Client extends AsciiSession {
  constructor (sessionConfig) {
    super(sessionConfig)
    this.received = 0
  }

  onApplicationMsg (msgType, view) {
    const o = view.toObject()
    const expected = `JS-${this.received}`
    if (msgType !== 'D' || o.ClOrdID !== expected) {
      console.error(`jspurefix_peer: got ${msgType} ${o.ClOrdID} where D ${expected} was expected`)
      ok = false
    }
    this.received++
    if (this.received === orders) {
      console.log(`DONE ${this.received}`)
      this.done()  // the logout handshake
    }
  }

  onReady () {
    for (let i = 0; i < orders; ++i) {
      this.send('D', {
        ClOrdID: `JS-${i}`,
        HandlInst: '1',
        Instrument: { Symbol: 'IBM' },
        Side: '1',
        TransactTime: new Date(),
        OrderQtyData: { OrderQty: 100 },
        OrdType: '1'
      })
    }
  }

  onLogon () { return true }
  onStopped () {
    process.exit(ok && this.received === orders ? 0 : 1)
  }

  onDecoded () {}
  onEncoded () {}
}

class Launcher extends SessionLauncher {
  constructor () {
    super({
      application: {
        reconnectSeconds: 1,
        type: 'initiator',
        name: 'jspurefix_peer',
        tcp: { host: '127.0.0.1', port: parseInt(port, 10) },
        protocol: 'ascii',
        dictionary
      },
      EncryptMethod: 0,
      ResetSeqNumFlag: true,
      HeartBtInt: 30,
      SenderCompId: sender,
      TargetCompID: target,
      BeginString: 'FIX.4.4'
    }, null, new config.JsFixWinstonLogFactory(config.WinstonLogger.consoleOptions('error')))
  }

  makeFactory () {
    return { makeSession: (sessionConfig) => new Client(sessionConfig) }
  }
}

setTimeout(() => {
  console.error('jspurefix_peer: timed out')
  process.exit(1)
}, 60000).unref()
new Launcher().run().catch((e) => {
  console.error(`jspurefix_peer: ${e}`)
  process.exit(1)
})
