#include "persistence/sqlite_storage.hpp"

#include "persistence/memory_storage.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "messaging/codec.hpp"
#include "tests/unit/helpers.hpp"
#include "tests/unit/temp_dir.hpp"

namespace synod {
namespace {

using test::value_of;

class SqliteStorage : public ::testing::Test {
 protected:
  sqlite_options options(const std::string& group = "g", node_id node = 1) const {
    return sqlite_options{dir.file("node/synod.db"), group, node, 0};
  }

  // Expects opening to fail with a message that contains `what`.
  void expect_refused(const sqlite_options& o, const std::string& what) {
    try {
      sqlite_storage s(o);
      FAIL() << "opened, expected: " << what;
    } catch (const storage_error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(o.path), std::string::npos) << "names no file";
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "not one line";
    }
  }

  batch big_value(std::size_t bytes) const { return value_of(std::string(bytes, 'x')); }

  // Changes the database behind synod's back, as a bad disk or a stray tool would.
  void damage(const char* sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(options().path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  // Expects recovery to fail with a message that contains `what`.
  void expect_recovery_refused(const std::string& what) const {
    sqlite_storage s(options());
    try {
      s.recover();
      FAIL() << "recovered, expected: " << what;
    } catch (const storage_error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  }

  test::temp_dir dir;
};

// Recovery with a memory window holds the last slots only, whatever the history's length, and
// both storages keep the same: the ids below the window, counts, accepted values above it.
TEST_F(SqliteStorage, RecoveryKeepsOnlyTheMemoryWindow) {
  memory_storage m;
  {
    sqlite_storage s(options());
    for (slot_t slot = 1; slot <= 10; ++slot) {
      const std::vector<durable_record> records{
          accept_record{slot, {1, 1}, value_of("a" + std::to_string(slot), 4, slot)},
          delivery_record{slot, value_of("payload", 4, slot)}};
      s.commit(records);
      m.commit(records);
    }
    s.commit({accept_record{11, {1, 1}, value_of("undecided", 4, 11)}});
    m.commit({accept_record{11, {1, 1}, value_of("undecided", 4, 11)}});
  }
  sqlite_storage s(options());
  for (const recovered_state& state : {s.recover(3), m.recover(3)}) {
    EXPECT_EQ(state.delivered_up_to(), 10u);
    EXPECT_EQ(state.forgotten_up_to, 7u);
    ASSERT_EQ(state.delivered.size(), 3u);
    EXPECT_EQ(state.delivered.begin()->first, 8u);
    EXPECT_EQ(state.accepted.size(), 4u);  // 8, 9, 10 and the undecided 11
    EXPECT_EQ(state.accepted.begin()->first, 8u);
    for (std::uint64_t seq = 1; seq <= 7; ++seq)
      EXPECT_TRUE(state.forgotten_ids.contains(message_id{4, seq})) << seq;
    EXPECT_FALSE(state.forgotten_ids.contains(message_id{4, 8}));
    EXPECT_EQ(state.forgotten_messages, 7u);
    EXPECT_EQ(state.forgotten_bytes, 7u * 7u);  // "payload"
  }
  const auto everything = s.recover();
  EXPECT_EQ(everything.delivered.size(), 10u);
  EXPECT_EQ(everything.forgotten_up_to, 0u);
}

// The learner's snapshots and cuts: both storages forget the same slots, keep the same
// snapshots, and recover from the newest one reading only what follows it.
TEST_F(SqliteStorage, TruncationForgetsTheLogAndRecoveryStartsFromTheNewestSnapshot) {
  memory_storage m;
  const auto both = [&](const std::vector<durable_record>& records) {
    sqlite_storage(options()).commit(records);
    m.commit(records);
  };
  delivered_filter ids;
  std::uint64_t digest = ledger_digest_start;
  for (slot_t slot = 1; slot <= 30; ++slot) {
    const batch b = value_of("p", 4, slot);
    ids.insert({4, slot});
    digest = fold_delivery(digest, slot, b);
    std::vector<durable_record> records{accept_record{slot, {1, 1}, b}, delivery_record{slot, b}};
    if (slot % 10 == 0) records.push_back(snapshot_record{{slot, ids, slot, slot, digest}});
    both(records);
  }
  both({truncate_record{10}, truncate_record{15}});
  both({accept_record{31, {1, 1}, value_of("undecided", 4, 31)}});
  {
    sqlite_storage s(options());
    for (const recovered_state& state : {s.recover(3), m.recover(3)}) {
      EXPECT_EQ(state.truncated_up_to, 15u);
      ASSERT_EQ(state.snapshots.size(), 2u);  // 10 went with the cut past it; 20 and 30 stay
      EXPECT_EQ(state.snapshots.front().slot, 20u);
      EXPECT_EQ(state.forgotten_up_to, 30u);  // the newest snapshot, above the window's floor 27
      EXPECT_TRUE(state.delivered.empty());
      EXPECT_EQ(state.delivered_up_to(), 30u);
      EXPECT_EQ(state.accepted.size(), 1u);  // only the undecided 31
      EXPECT_EQ(state.forgotten_messages, 30u);
      EXPECT_EQ(state.forgotten_digest, digest);
      EXPECT_TRUE(state.forgotten_ids.contains({4, 30}));
    }
    EXPECT_EQ(s.read_delivered(1, 1 << 20).front().first, 16u);
  }
  // Below the window but after the newest snapshot: read, folded into ids and digest.
  both({delivery_record{31, value_of("q", 4, 31)}, delivery_record{32, value_of("q", 4, 32)}});
  sqlite_storage again(options());
  const auto state = again.recover(1);
  EXPECT_EQ(state.forgotten_up_to, 31u);
  EXPECT_TRUE(state.forgotten_ids.contains({4, 31}));
  EXPECT_EQ(state.forgotten_digest, fold_delivery(digest, 31, value_of("q", 4, 31)));
  EXPECT_EQ(state.delivered.size(), 1u);
}

TEST_F(SqliteStorage, UpgradesADatabaseOfSchemaVersionOne) {
  std::filesystem::create_directories(dir.path() / "node");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options().path.c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE scalars (name TEXT PRIMARY KEY, counter INTEGER NOT NULL, node INTEGER NOT NULL);
    CREATE TABLE accepted (slot INTEGER PRIMARY KEY, round_counter INTEGER NOT NULL,
                           round_node INTEGER NOT NULL, value BLOB NOT NULL);
    CREATE TABLE delivered (slot INTEGER PRIMARY KEY, value BLOB NOT NULL);
    INSERT INTO meta VALUES ('schema_version', '1'), ('group', 'g'), ('node', '1');
    INSERT INTO scalars VALUES ('promise', 7, 2);
  )sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  {
    sqlite_storage s(options());
    EXPECT_EQ(s.recover().promised, (round_t{7, 2}));
    s.commit({snapshot_record{{5, {}, 0, 0, ledger_digest_start}}, truncate_record{5}});
  }
  sqlite_storage s(options());
  EXPECT_EQ(s.recover().truncated_up_to, 5u);
  s.commit({checkpoint_record{5, "state"}});  // through version 2 to 3: checkpoints too
  EXPECT_EQ(s.recover().checkpoint.slot, 5u);
  s.commit({transfer_chunk_record{{9, 4, 0, 0, "ab"}}});  // and to 4: state transfers
  EXPECT_EQ(s.recover().transfer.received, "ab");
}

// A state transfer's parts: kept as they come, recovered consecutive from byte 0, started over
// by a part at byte 0, ended by a checkpoint at or above its slot or dropped by a record of slot
// 0; the in-memory image does the same.
TEST_F(SqliteStorage, KeepsTheStateTransferUnderWayAcrossRestarts) {
  const std::vector<std::vector<durable_record>> commits = {
      {transfer_chunk_record{{7, 6, 42, 0, "ol"}}},
      {transfer_chunk_record{{9, 6, 43, 0, "ab"}}},  // another checkpoint: from its start
      {transfer_chunk_record{{9, 6, 43, 2, "cd"}}},
      {transfer_chunk_record{{9, 6, 43, 6, "zz"}}},  // not the next part: not kept
  };
  recovered_state image;
  for (const auto& c : commits) {
    sqlite_storage(options()).commit(c);
    for (const auto& r : c) apply(image, r);
  }
  auto recovered = sqlite_storage(options()).recover();
  EXPECT_EQ(recovered.transfer.slot, 9u);
  EXPECT_EQ(recovered.transfer.size, 6u);
  EXPECT_EQ(recovered.transfer.digest, 43u);
  EXPECT_EQ(recovered.transfer.received, "abcd");
  EXPECT_EQ(image.transfer.received, "abcd");
  sqlite_storage(options()).commit({checkpoint_record{8, "older"}});  // below it: goes on
  EXPECT_EQ(sqlite_storage(options()).recover().transfer.received, "abcd");
  sqlite_storage(options()).commit({transfer_chunk_record{}});  // dropped
  EXPECT_EQ(sqlite_storage(options()).recover().transfer.slot, 0u);
  sqlite_storage(options()).commit({transfer_chunk_record{{12, 2, 1, 0, "x"}}});
  sqlite_storage(options()).commit({checkpoint_record{12, "own"}});  // as new: ends it
  recovered = sqlite_storage(options()).recover();
  EXPECT_EQ(recovered.transfer.slot, 0u);
  EXPECT_EQ(recovered.checkpoint.state, "own");
}

TEST_F(SqliteStorage, RefusesACorruptedSnapshot) {
  sqlite_storage(options()).commit({snapshot_record{{5, {}, 0, 0, ledger_digest_start}}});
  damage("UPDATE snapshots SET value = x'00112233'");
  expect_recovery_refused("corrupted snapshot at slot 5");
}

// An application's checkpoint: only the newest is kept, an older one never replaces it, its
// bytes come back exactly (any bytes, NULs included), as the in-memory image keeps them.
TEST_F(SqliteStorage, KeepsTheNewestCheckpointOnly) {
  const std::string state("nine\0bytes", 10);
  const std::vector<durable_record> records = {
      checkpoint_record{5, "five"}, checkpoint_record{9, state}, checkpoint_record{3, "three"}};
  recovered_state image;
  {
    sqlite_storage s(options());
    for (const auto& r : records) {
      s.commit({r});
      apply(image, r);
    }
  }
  const auto recovered = sqlite_storage(options()).recover();
  EXPECT_EQ(recovered.checkpoint.slot, 9u);
  EXPECT_EQ(recovered.checkpoint.state, state);
  EXPECT_EQ(image.checkpoint.slot, 9u);
  EXPECT_EQ(image.checkpoint.state, state);
}

TEST_F(SqliteStorage, RefusesACorruptedCheckpoint) {
  sqlite_storage(options()).commit({checkpoint_record{9, "the application's state"}});
  damage("UPDATE checkpoint SET state = x'00112233'");
  expect_recovery_refused("corrupted checkpoint at slot 9");
}

TEST_F(SqliteStorage, RecoversEveryKindOfRecordAfterReopening) {
  {
    sqlite_storage s(options());
    s.commit({promise_record{{3, 2}}, accept_record{5, {3, 2}, value_of("v")},
              round_counter_record{3}, delivery_record{1, value_of("d")}, incarnation_record{4}});
  }
  sqlite_storage s(options());
  const auto state = s.recover();
  EXPECT_EQ(state.promised, (round_t{3, 2}));
  ASSERT_EQ(state.accepted.count(5), 1u);
  EXPECT_EQ(state.accepted.at(5).round, (round_t{3, 2}));
  EXPECT_EQ(state.accepted.at(5).value, value_of("v"));
  EXPECT_EQ(state.round_counter, 3u);
  EXPECT_EQ(state.delivered_up_to(), 1u);
  EXPECT_EQ(state.delivered.at(1), value_of("d"));
  EXPECT_EQ(state.incarnation, 4u);
}

TEST_F(SqliteStorage, BehavesLikeTheInMemoryImage) {
  sqlite_storage s(options());
  const std::vector<std::vector<durable_record>> commits = {
      {promise_record{{5, 1}}, round_counter_record{9}},
      {promise_record{{4, 3}}, round_counter_record{7}, accept_record{1, {4, 3}, value_of("a")}},
      {accept_record{1, {6, 2}, value_of("b")}, incarnation_record{2}, incarnation_record{1}},
  };
  recovered_state image;
  for (const auto& c : commits) {
    s.commit(c);
    for (const auto& r : c) apply(image, r);
  }
  const auto state = s.recover();
  EXPECT_EQ(state.promised, image.promised);
  EXPECT_EQ(state.round_counter, image.round_counter);
  EXPECT_EQ(state.incarnation, image.incarnation);
  EXPECT_EQ(state.accepted.at(1).value, image.accepted.at(1).value);
}

TEST_F(SqliteStorage, StoresLargeBatches) {
  const batch b = big_value(1 << 20);
  {
    sqlite_storage s(options());
    s.commit({accept_record{1, {1, 1}, b}});
  }
  EXPECT_EQ(sqlite_storage(options()).recover().accepted.at(1).value, b);
}

TEST_F(SqliteStorage, ReadsDeliveredBatchesBackAPageAtATime) {
  sqlite_storage s(options());
  memory_storage m;
  std::vector<durable_record> records;
  for (slot_t slot = 1; slot <= 5; ++slot)
    records.push_back(delivery_record{slot, value_of(std::string(100, 'x'), 2, slot)});
  s.commit(records);
  m.commit(records);
  for (const stable_storage* storage :
       {static_cast<const stable_storage*>(&s), static_cast<const stable_storage*>(&m)}) {
    const auto page = storage->read_delivered(2, 250);  // stops once 250 bytes are in
    ASSERT_EQ(page.size(), 3u);
    EXPECT_EQ(page[0].first, 2u);
    EXPECT_EQ(page[2].first, 4u);
    EXPECT_EQ(page[2].second, value_of(std::string(100, 'x'), 2, 4));
    EXPECT_EQ(storage->read_delivered(5, 1).size(), 1u);  // at least one batch
    EXPECT_TRUE(storage->read_delivered(6, 1000).empty());
  }
}

TEST_F(SqliteStorage, RefusesADatabaseAnotherNodeHolds) {
  sqlite_storage first(options());
  expect_refused(options(), "in use by another running node");
}

TEST_F(SqliteStorage, TheLockGoesWithTheHolder) {
  { sqlite_storage first(options()); }
  EXPECT_NO_THROW(sqlite_storage second(options()));
}

TEST_F(SqliteStorage, RefusesAnotherGroupsDatabase) {
  { sqlite_storage s(options("alpha")); }
  expect_refused(options("beta"), "belongs to group 'alpha'");
}

TEST_F(SqliteStorage, RefusesAnotherNodesDatabase) {
  { sqlite_storage s(options("g", 1)); }
  expect_refused(options("g", 2), "belongs to node 1");
}

TEST_F(SqliteStorage, RefusesAFileThatIsNotADatabase) {
  std::filesystem::create_directories(dir.path() / "node");
  std::ofstream(options().path) << std::string(8192, 'z');
  expect_refused(options(), "corrupted or not a synod database");
}

TEST_F(SqliteStorage, RefusesAnUnrelatedSqliteDatabase) {
  std::filesystem::create_directories(dir.path() / "node");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options().path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  expect_refused(options(), "not a synod database");
}

TEST_F(SqliteStorage, RefusesATruncatedFile) {
  {
    sqlite_storage s(options());
    for (slot_t slot = 1; slot <= 50; ++slot)
      s.commit({accept_record{slot, {1, 1}, big_value(8000)}});
  }  // closing checkpoints the WAL into the database file
  const auto size = std::filesystem::file_size(options().path);
  std::filesystem::resize_file(options().path, size / 2);
  expect_refused(options(), "corrupted");
}

TEST_F(SqliteStorage, RefusesACorruptedPage) {
  {
    sqlite_storage s(options());
    for (slot_t slot = 1; slot <= 50; ++slot)
      s.commit({accept_record{slot, {1, 1}, big_value(8000)}});
  }
  {
    // Halfway through the file: inside the stored values, where SQLite itself checks nothing.
    const auto size = std::filesystem::file_size(options().path);
    std::fstream f(options().path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(100, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    sqlite_storage s(options());
    s.recover();
    FAIL() << "a corrupted file was read as valid";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupted"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStorage, RefusesAPathUnderAFile) {
  std::ofstream(dir.file("plain-file")) << "x";
  sqlite_options o = options();
  o.path = dir.file("plain-file/node/synod.db");
  expect_refused(o, "cannot create directory");
}

TEST_F(SqliteStorage, RefusesAnUnwritableDirectory) {
  // Root ignores permission bits, so the check runs in a child that gives up root.
  std::filesystem::create_directories(dir.path() / "locked");
  std::filesystem::permissions(dir.path() / "locked", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_exec |
                                                          std::filesystem::perms::others_read |
                                                          std::filesystem::perms::others_exec);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
      _exit(3);
    try {
      sqlite_storage s(sqlite_options{dir.file("locked/synod.db"), "g", 1, 0});
      _exit(1);
    } catch (const storage_error& e) {
      if (std::string(e.what()).find("not writable") != std::string::npos) _exit(0);
      std::fprintf(stderr, "%s\n", e.what());
      _exit(2);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened, 2: another error, 3: could not drop root";
}

TEST_F(SqliteStorage, AFullDiskFailsTheCommitAndKeepsEverythingBefore) {
  sqlite_options o = options();
  o.max_pages = 16;  // SQLite reports SQLITE_FULL beyond this, as on a full disk
  sqlite_storage s(o);
  slot_t last_ok = 0;
  bool failed = false;
  for (slot_t slot = 1; slot <= 100 && !failed; ++slot) {
    try {
      s.commit(
          {accept_record{slot, {1, 1}, big_value(4000)}, delivery_record{slot, value_of("d")}});
      last_ok = slot;
    } catch (const storage_error& e) {
      failed = true;
      EXPECT_NE(std::string(e.what()).find("nothing of it is durable"), std::string::npos);
    }
  }
  ASSERT_TRUE(failed) << "the cap never filled";
  ASSERT_GT(last_ok, 0u);
  const auto state = s.recover();
  EXPECT_EQ(state.accepted.size(), last_ok);    // every acknowledged commit, and no more
  EXPECT_EQ(state.delivered_up_to(), last_ok);  // the failed commit left no half behind
}

TEST_F(SqliteStorage, AFileSizeLimitFailsTheCommitCleanly) {
  // A real write error from the kernel (EFBIG), in a child with a file size limit.
  { sqlite_storage s(options()); }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit{256 * 1024, 256 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    sqlite_storage s(options());
    for (slot_t slot = 1; slot <= 1000; ++slot) {
      try {
        s.commit({accept_record{slot, {1, 1}, big_value(4000)}});
      } catch (const storage_error&) {
        _exit(0);
      }
    }
    _exit(1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the limit never failed a commit";
  sqlite_storage s(options());
  EXPECT_NO_THROW(s.recover());
}

TEST(Codec, RoundTripsABatch) {
  auto messages = value_of("hello", 3, 99).messages();
  messages.push_back(client_message{{4, 1ULL << 45}, std::string("\0\1\2", 3)});
  const batch b(messages);
  EXPECT_EQ(decode_batch(encode(b)), b);
  EXPECT_EQ(decode_batch(encode(batch{})), batch{});
}

TEST(Codec, RoundTripsASnapshot) {
  delivered_filter ids;
  for (std::uint64_t seq : {1, 2, 3, 7, 9}) ids.insert({3, seq});
  ids.insert({5, 1ULL << 45});
  const ledger_snapshot s{42, ids, 6, 600, 0x1234};
  const auto back = decode_snapshot(encode(s));
  EXPECT_EQ(back.slot, 42u);
  EXPECT_EQ(back.delivered, ids);
  EXPECT_EQ(back.messages, 6u);
  EXPECT_EQ(back.bytes, 600u);
  EXPECT_EQ(back.digest, 0x1234u);
  EXPECT_THROW(decode_snapshot("garbage"), std::runtime_error);
}

TEST(Codec, RejectsGarbage) {
  EXPECT_THROW(decode_batch("not a batch"), std::runtime_error);
}

}  // namespace
}  // namespace synod
