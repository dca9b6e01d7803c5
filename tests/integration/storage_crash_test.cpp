// Kill -9 a writer at random moments, many times, and check that everything it reported durable
// is there and intact after reopening, and that recovery never trips over a half-written commit.
// SYNOD_CRASH_ITERATIONS sets the number of kills (default 40; more for a soak).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <random>

#include "persistence/sqlite_storage.hpp"
#include "tests/unit/temp_dir.hpp"

namespace synod {
namespace {

// The batch the writer stores in `slot`: its size varies from a few bytes to 96 KB, so kills
// land in small and in multi-page transactions.
batch expected_batch(slot_t slot) {
  std::vector<client_message> b;
  const std::size_t messages = 1 + slot % 7;
  const std::size_t size = (slot % 5 == 0) ? 96 * 1024 / messages : 16 + slot % 300;
  for (std::size_t i = 0; i < messages; ++i)
    b.push_back(client_message{{static_cast<node_id>(1 + i), slot},
                               std::string(size, static_cast<char>('a' + (slot + i) % 26))});
  return batch(std::move(b));
}

// One group commit the way a node makes them: promise, accept, deliver and counter together.
std::vector<durable_record> commit_for(slot_t slot) {
  const batch b = expected_batch(slot);
  return {promise_record{{slot, 1}}, accept_record{slot, {slot, 1}, b}, delivery_record{slot, b},
          round_counter_record{slot}};
}

[[noreturn]] void run_writer(const sqlite_options& options, int report_fd) {
  try {
    sqlite_storage storage(options);
    const slot_t first = storage.recover().delivered_up_to() + 1;
    const slot_t ready = 0;  // recovery is done: the kills should land among commits
    if (write(report_fd, &ready, sizeof ready) != sizeof ready) _exit(3);
    for (slot_t slot = first;; ++slot) {
      storage.commit(commit_for(slot));
      // Only now is the slot durable; say so.
      if (write(report_fd, &slot, sizeof slot) != sizeof slot) _exit(3);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer: %s\n", e.what());
    _exit(2);
  }
}

int iterations() {
  const char* env = std::getenv("SYNOD_CRASH_ITERATIONS");
  return env ? std::atoi(env) : 40;
}

TEST(StorageCrash, NothingReportedDurableIsLostAcrossKills) {
  test::temp_dir dir;
  const sqlite_options options{dir.file("crash/synod.db"), "crash-test", 1, 0};
  std::mt19937_64 random(std::random_device{}());
  slot_t reported = 0;
  int kills_mid_commit = 0;
  for (int i = 0; i < iterations(); ++i) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      run_writer(options, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    slot_t slot = 0;
    ASSERT_EQ(read(pipe_fds[0], &slot, sizeof slot), static_cast<ssize_t>(sizeof slot))
        << "the writer died before it recovered";
    usleep(static_cast<useconds_t>(random() % 30000));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the writer stopped by itself: exit " << WEXITSTATUS(status);
    while (read(pipe_fds[0], &slot, sizeof slot) == sizeof slot)
      reported = std::max(reported, slot);
    close(pipe_fds[0]);

    sqlite_storage storage(options);  // must open: no half-written commit may break recovery
    const auto state = storage.recover();
    const slot_t last = state.delivered_up_to();
    ASSERT_GE(last, reported) << "iteration " << i << ": a reported commit was lost";
    if (last > reported) ++kills_mid_commit;  // committed, killed before it could say so
    // Every commit is all or nothing: the four records of the last slot agree.
    ASSERT_EQ(state.promised, (round_t{last, 1}));
    ASSERT_EQ(state.round_counter, last);
    ASSERT_EQ(state.accepted.size(), last);
    ASSERT_EQ(state.delivered.size(), last);
    for (slot_t s = 1; s <= last; ++s) {
      ASSERT_EQ(state.delivered.at(s), expected_batch(s)) << "slot " << s;
      ASSERT_EQ(state.accepted.at(s).value, expected_batch(s)) << "slot " << s;
    }
    reported = last;
  }
  std::cout << iterations() << " kills, " << reported << " commits survived, " << kills_mid_commit
            << " kills between a commit and its report\n";
  EXPECT_GT(reported, static_cast<slot_t>(iterations()));  // kills landed among commits
}

}  // namespace
}  // namespace synod
