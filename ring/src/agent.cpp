#include "tp/ring/agent.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

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

int cpu_count() noexcept {
  const long n = ::sysconf(_SC_NPROCESSORS_CONF);
  return n < 1 ? 1 : static_cast<int>(n);
}

namespace {

/// "0-1", "0,2-3": the CPUs set in `set`.
std::string cpu_list(const cpu_set_t& set) {
  std::string out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set)) continue;
    int e = c;
    while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set)) ++e;
    if (!out.empty()) out += ',';
    out += std::to_string(c);
    if (e > c) {
      out += '-';
      out += std::to_string(e);
    }
    c = e;
  }
  return out.empty() ? std::string("none") : out;
}

}  // namespace

std::string cpu_pin_problem(int cpu) {
  const int n = cpu_count();
  const std::string all = n == 1 ? std::string("0") : "0-" + std::to_string(n - 1);
  if (cpu < 0 || cpu >= n || cpu >= CPU_SETSIZE) {
    return "CPU " + std::to_string(cpu) + " does not exist (this machine has " + std::to_string(n) +
           (n == 1 ? " CPU: " : " CPUs: ") + all + ")";
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && !CPU_ISSET(cpu, &set)) {
    return "CPU " + std::to_string(cpu) + " is not available to this process (it may run on CPUs " +
           cpu_list(set) + ")";
  }
  return {};
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

std::string AgentRunner::pin_error() const {
  std::string out;
  const std::string who = "thread '" + std::string(agent_.name()) + "'";
  if (const int err = pin_errno_.load(std::memory_order_acquire); err != 0) {
    out = "cannot pin " + who + " to CPU " + std::to_string(cpu_) + ": " + std::strerror(err);
    if (const std::string why = cpu_pin_problem(cpu_); !why.empty()) out += " (" + why + ")";
  }
  if (const int err = sched_errno_.load(std::memory_order_acquire); err != 0) {
    if (!out.empty()) out += "; ";
    out += "cannot run " + who + " under SCHED_IDLE: " + std::strerror(err);
  }
  return out;
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
    // A CPU beyond the set's capacity cannot be named in a cpu_set_t: EINVAL, as the
    // kernel answers for a CPU that does not exist.
    int err = EINVAL;
    if (cpu_ < CPU_SETSIZE) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu_, &set);
      err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
    pin_errno_.store(err, std::memory_order_release);
    pin_ok_.store(err == 0, std::memory_order_release);
  }
  if (sched_ == Sched::Background) {
#ifdef SCHED_IDLE
    sched_param param{};
    param.sched_priority = 0;
    if (const int err = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param); err != 0) {
      sched_errno_.store(err, std::memory_order_release);
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
