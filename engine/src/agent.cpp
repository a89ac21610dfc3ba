#include "tp/engine/agent.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstring>

namespace tp {

bool parse_idle_kind(std::string_view s, IdleKind& out) noexcept {
  if (s == "spin" || s == "busy-spin") out = IdleKind::BusySpin;
  else if (s == "yield") out = IdleKind::Yield;
  else if (s == "backoff") out = IdleKind::Backoff;
  else if (s == "sleep") out = IdleKind::Sleep;
  else return false;
  return true;
}

const char* to_string(IdleKind k) noexcept {
  switch (k) {
    case IdleKind::BusySpin: return "spin";
    case IdleKind::Yield: return "yield";
    case IdleKind::Backoff: return "backoff";
    case IdleKind::Sleep: return "sleep";
  }
  return "?";
}

CompositeAgent::CompositeAgent(std::vector<Agent*> agents, std::string name)
    : agents_(std::move(agents)), name_(std::move(name)) {}

void CompositeAgent::on_start() {
  for (Agent* a : agents_) a->on_start();
}
void CompositeAgent::on_close() {
  for (Agent* a : agents_) a->on_close();
}

AgentRunner::AgentRunner(Agent& agent, IdleConfig idle, int cpu, Sched sched)
    : agent_(agent), idle_cfg_(idle), cpu_(cpu), sched_(sched) {}

AgentRunner::~AgentRunner() { stop(); }

bool AgentRunner::start() {
  if (thread_.joinable()) return pin_ok_.load(std::memory_order_acquire);  // already started
  running_.store(true, std::memory_order_release);
  started_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { run(); });
  // Wait until the thread has named and pinned itself, so that on_start() and every
  // duty cycle already run on the requested CPU.
  while (!started_.load(std::memory_order_acquire)) std::this_thread::yield();
  return pin_ok_.load(std::memory_order_acquire);
}

void AgentRunner::stop() {
  running_.store(false, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void AgentRunner::rethrow_if_failed() const {
  if (failed()) std::rethrow_exception(error_);
}

void AgentRunner::run() {
  // Name and pin this thread before anything of the agent runs.
  const std::string nm(agent_.name().substr(0, 15));
  pthread_setname_np(pthread_self(), nm.c_str());
  if (cpu_ >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    pin_ok_.store(pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0, std::memory_order_release);
  }
  if (sched_ == Sched::Background) {
#ifdef SCHED_IDLE
    sched_param param{};
    param.sched_priority = 0;
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) != 0) {
      pin_ok_.store(false, std::memory_order_release);
    }
#endif
  }
  started_.store(true, std::memory_order_release);
  IdleStrategy idle(idle_cfg_);
  uint64_t cycles = 0;
  try {
    agent_.on_start();
    while (running_.load(std::memory_order_acquire)) {
      const int work = agent_.do_work();
      idle.idle(work);
      if ((++cycles & 1023u) == 0) cycles_.store(cycles, std::memory_order_relaxed);
    }
    // Drain what is left so that a stop never loses work that was already accepted.
    while (agent_.do_work() > 0) {
    }
    cycles_.store(cycles, std::memory_order_relaxed);
    agent_.on_close();
  } catch (...) {
    // An agent that throws stops its thread; the owner sees failed() and rethrows.
    error_ = std::current_exception();
    failed_.store(true, std::memory_order_release);
  }
}

}  // namespace tp
