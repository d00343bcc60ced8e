// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// IoRuntime: the io_context, its threads, the After() timers and the orderly stop that makes
// every request in flight end (its callback runs exactly once) before the threads are joined.

#include "pay/connector/http_runtime.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <utility>

#include "connector/http_internal.h"

namespace pay::connector {
namespace {

// How long Stop() lets aborted requests and closing connections finish before it stops the
// io_context outright.
constexpr std::chrono::seconds kStopGrace{2};

void RunIoThread(const std::shared_ptr<internal::RuntimeCore>& core) {
  for (;;) {
    try {
      core->io.run();
      break;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "libpay: an I/O task threw (ignored, the runtime goes on): %s\n",
                   e.what());
    } catch (...) {
      std::fprintf(stderr, "libpay: an I/O task threw a non-exception (ignored)\n");
    }
  }
}

}  // namespace

internal::RuntimeCore::~RuntimeCore() {
  // IoRuntime::~IoRuntime stopped us and joined every thread but perhaps the current one, which
  // was detached.
  for (std::thread& thread : threads) {
    if (thread.joinable()) thread.detach();
  }
}

void internal::RuntimeCore::StartThreads() {
  guard.emplace(io.get_executor());
  std::lock_guard<std::mutex> lock(mu);
  for (size_t i = 0; i < thread_count; ++i) {
    ++running_threads;
    // Each thread keeps the core alive: a thread detached by a Stop() called on it still returns
    // through io.run() and then touches `mu`.
    threads.emplace_back([self = shared_from_this()] {
      RunIoThread(self);
      {
        std::lock_guard<std::mutex> lock(self->mu);
        --self->running_threads;
      }
      self->threads_changed.notify_all();
    });
  }
}

bool internal::RuntimeCore::stopped() const {
  std::lock_guard<std::mutex> lock(mu);
  return stopping;
}

uint64_t internal::RuntimeCore::AddStopHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopping) return 0;
  const uint64_t id = next_hook_id++;
  hooks.emplace(id, std::move(hook));
  return id;
}

void internal::RuntimeCore::RemoveStopHook(uint64_t id) {
  if (id == 0) return;
  std::lock_guard<std::mutex> lock(mu);
  hooks.erase(id);
}

void internal::RuntimeCore::Stop() {
  const bool on_io_thread = io.get_executor().running_in_this_thread();
  std::unique_lock<std::mutex> stop_lock(stop_mu, std::defer_lock);
  if (on_io_thread) {
    // Another thread may be stopping and waiting for this one to return to io.run().
    if (!stop_lock.try_lock()) return;
  } else {
    stop_lock.lock();
  }
  std::map<uint64_t, std::function<void()>> to_run;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!stopping) {
      stopping = true;
      to_run.swap(hooks);
    }
  }
  // Each hook posts the abort of its request, server or timer onto that object's strand.
  for (auto& [id, hook] : to_run) hook();
  to_run.clear();
  guard.reset();
  {
    const size_t self = on_io_thread ? 1 : 0;
    std::unique_lock<std::mutex> lock(mu);
    threads_changed.wait_for(lock, kStopGrace, [&] { return running_threads <= self; });
  }
  io.stop();  // whatever is left (a handler that keeps re-arming) is destroyed with the io_context
  for (std::thread& thread : threads) {
    if (!thread.joinable()) continue;
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else {
      thread.join();
    }
  }
}

IoRuntime::IoRuntime(size_t threads) : core_(std::make_shared<internal::RuntimeCore>(threads)) {
  core_->StartThreads();
}

IoRuntime::~IoRuntime() { Stop(); }

void IoRuntime::Stop() { core_->Stop(); }

bool IoRuntime::stopped() const { return core_->stopped(); }

void IoRuntime::After(std::chrono::milliseconds delay, std::function<void()> task) {
  if (!task) return;
  internal::RuntimeCore* core = core_.get();
  auto timer = std::make_shared<boost::asio::steady_timer>(boost::asio::make_strand(core->io));
  std::weak_ptr<boost::asio::steady_timer> weak_timer = timer;
  const uint64_t hook = core->AddStopHook([weak_timer] {
    if (auto timer = weak_timer.lock()) {
      boost::asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
  });
  if (hook == 0) return;  // stopped: dropped
  timer->expires_after(delay);
  // The handler owns the timer; the hook only observes it.
  timer->async_wait(
      [core, hook, timer, task = std::move(task)](const boost::system::error_code& ec) {
        core->RemoveStopHook(hook);
        if (ec || core->stopped()) return;
        task();
      });
}

}  // namespace pay::connector
