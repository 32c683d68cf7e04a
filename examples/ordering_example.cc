// The README's keyed-ordering example: orders keyed by ClOrdID run in FIFO order per order,
// different orders concurrently. Built and run by ctest.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/message_builder.h"
#include "fixgate/ordering/fix_message_keys.h"
#include "fixgate/ordering/key_strategy.h"
#include "fixgate/ordering/keyed_dispatcher.h"

using namespace fixgate;

int main() {
  // Key each message by ClOrdID: every event of one order runs in arrival order.
  auto by_order = ordering::SingleField::make("ClOrdID", "order");
  if (!by_order) return 1;
  ordering::FieldNames names({{"ClOrdID", tag::ClOrdID}});

  std::mutex mu;
  std::map<std::string, std::vector<int>> seen;  // key -> event numbers, in handling order
  ordering::DispatcherOptions options;
  options.workers = 4;
  ordering::KeyedDispatcher<int> dispatcher(options, [&](std::string_view key, int& event) {
    std::lock_guard lock(mu);
    seen[std::string(key)].push_back(event);
  });

  codec::MessageBuilder report;
  codec::Encoder enc;
  codec::Message msg;
  for (int event = 0; event < 1000; ++event) {
    std::string clordid = "ORD-" + std::to_string(event % 10);  // 10 orders, 100 events each
    report.reset(msg_type::ExecutionReport).set(tag::ClOrdID, clordid).set(tag::LastQty, event);
    std::string_view wire = enc.begin("FIX.4.4", report.msg_type()).raw(report.body()).finish();
    if (!msg.parse(wire).ok()) return 1;
    auto key = (*by_order)->key_for(ordering::FixMessageKeys(msg, names, "FIX.4.4:BROKER->CLIENT"));
    int payload = msg.get<int>(tag::LastQty).value_or(-1);  // the event number, read typed
    // Blocks when the bounded queue is full: back-pressure, never an unbounded buffer.
    if (dispatcher.submit(key, std::move(payload)) != ordering::SubmitResult::kAccepted) return 1;
  }
  dispatcher.shutdown(ordering::DrainPolicy::kFinishQueued);

  bool in_order = true;
  for (auto& [key, events] : seen)
    for (size_t i = 1; i < events.size(); ++i) in_order &= events[i - 1] < events[i];
  std::cout << seen.size() << " keys, per-key order " << (in_order ? "kept" : "BROKEN") << '\n';
  return in_order && seen.size() == 10 ? 0 : 1;  // prints "10 keys, per-key order kept"
}
