// Running an application's handlers (internal to the engine): the scope that collects a
// handler's replies, and the jobs the keyed dispatcher runs on its workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/ordering/keyed_dispatcher.h"
#include "fixgate/session/session.h"

namespace fixgate::engine {

class SessionRuntime;

// A handled mark that SessionHandle::defer() left open (the state behind a Completion). The
// handler's return and complete() may come in either order, on different threads: whichever
// comes second hands the mark, with the handler's replies, to the session's loop.
struct DeferredState {
  SessionRuntime* rt = nullptr;
  session::SeqNum seq;
  uint64_t epoch = 0;
  std::mutex mu;  // guards the three below
  std::vector<session::Reply> replies;
  bool handler_returned = false;
  bool completed = false;

  void handler_returned_with(std::span<const session::Reply> taken);  // the handler's thread
  void complete();                                                    // any thread
};

// The handler running on this thread. send() on its session from inside it collects a
// reply, committed together with the handled mark of the message when the handler returns.
struct HandlerScope {
  // `storage` holds the replies: a buffer the caller reuses, whose strings keep their capacity
  // (only `count` of its entries are this handler's).
  HandlerScope(SessionRuntime* runtime, std::vector<session::Reply>& storage,
               session::SeqNum message_seq, uint64_t message_epoch)
      : rt(runtime), replies(storage), seq(message_seq), epoch(message_epoch), previous(current) {
    current = this;
  }
  ~HandlerScope() { current = previous; }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

  void add(std::string_view msg_type, std::string_view body) {
    if (count == replies.size()) replies.emplace_back();
    replies[count].msg_type.assign(msg_type);
    replies[count].body.assign(body);
    ++count;
  }
  std::span<const session::Reply> taken() const { return {replies.data(), count}; }

  // The handler returned: false if it deferred its message (the Completion now owns the mark
  // and the replies), true if the caller marks the message handled with taken() as before.
  bool finish() {
    if (!deferred) return true;
    deferred->handler_returned_with(taken());
    return false;
  }

  SessionRuntime* rt;
  std::vector<session::Reply>& replies;
  size_t count = 0;
  session::SeqNum seq;  // the message being handled
  uint64_t epoch;
  std::shared_ptr<DeferredState> deferred;  // set by SessionHandle::defer()
  HandlerScope* previous;
  // Inline, so that every file reaches it directly, without a call to its initializer.
  static inline thread_local HandlerScope* current = nullptr;
};

// An application message on its way to a handler on a dispatcher worker.
struct DispatchJob {
  SessionRuntime* rt = nullptr;
  session::SeqNum seq;
  uint64_t epoch = 0;  // the delivery's (SessionEvent::epoch), for handled()
  std::string bytes;
};
using Dispatcher = ordering::KeyedDispatcher<DispatchJob>;

}  // namespace fixgate::engine
