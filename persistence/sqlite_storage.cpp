#include "persistence/sqlite_storage.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "messaging/codec.hpp"
#include "messaging/overloaded.hpp"

namespace synod {

namespace {

namespace fs = std::filesystem;

constexpr const char* schema = R"sql(
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scalars (name TEXT PRIMARY KEY, counter INTEGER NOT NULL, node INTEGER NOT NULL);
CREATE TABLE accepted (slot INTEGER PRIMARY KEY, round_counter INTEGER NOT NULL,
                       round_node INTEGER NOT NULL, value BLOB NOT NULL);
CREATE TABLE delivered (slot INTEGER PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE snapshots (slot INTEGER PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE checkpoint (only INTEGER PRIMARY KEY CHECK (only = 0), slot INTEGER NOT NULL,
                         state BLOB NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE transfer (byte_offset INTEGER PRIMARY KEY, slot INTEGER NOT NULL,
                       size INTEGER NOT NULL, digest INTEGER NOT NULL, part BLOB NOT NULL);
)sql";

// Version 1 had no snapshots and truncated nothing: it reads as a log that starts at slot 1.
constexpr const char* upgrade_from_1 = R"sql(
CREATE TABLE snapshots (slot INTEGER PRIMARY KEY, value BLOB NOT NULL);
UPDATE meta SET value = '2' WHERE name = 'schema_version';
)sql";

// Version 2 kept no application checkpoints.
constexpr const char* upgrade_from_2 = R"sql(
CREATE TABLE checkpoint (only INTEGER PRIMARY KEY CHECK (only = 0), slot INTEGER NOT NULL,
                         state BLOB NOT NULL, checksum INTEGER NOT NULL);
UPDATE meta SET value = '3' WHERE name = 'schema_version';
)sql";

// Version 3 kept no state transfer under way.
constexpr const char* upgrade_from_3 = R"sql(
CREATE TABLE transfer (byte_offset INTEGER PRIMARY KEY, slot INTEGER NOT NULL,
                       size INTEGER NOT NULL, digest INTEGER NOT NULL, part BLOB NOT NULL);
UPDATE meta SET value = '4' WHERE name = 'schema_version';
)sql";

// The newest checkpoint only: an older one never replaces it (records are idempotent).
constexpr const char* upsert_checkpoint = R"sql(
INSERT INTO checkpoint (only, slot, state, checksum) VALUES (0, ?1, ?2, ?3)
ON CONFLICT (only) DO UPDATE SET slot = excluded.slot, state = excluded.state,
                                 checksum = excluded.checksum
WHERE excluded.slot > checkpoint.slot
)sql";

// Scalars only grow, like the in-memory image (records.cpp): a stale record never wins.
constexpr const char* upsert_scalar = R"sql(
INSERT INTO scalars (name, counter, node) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE SET counter = excluded.counter, node = excluded.node
WHERE (excluded.counter, excluded.node) > (scalars.counter, scalars.node)
)sql";

// Owns one prepared statement (made by impl::prepare, which reports failures).
class statement {
 public:
  explicit statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLite does not copy a blob: it must outlive run(), as a batch's flat bytes do.
  statement& bind(int i, const std::string& text_or_blob, bool blob) {
    const auto n = static_cast<int>(text_or_blob.size());
    if (blob)
      sqlite3_bind_blob(stmt_, i, text_or_blob.data(), n, SQLITE_STATIC);
    else
      sqlite3_bind_text(stmt_, i, text_or_blob.data(), n, SQLITE_TRANSIENT);
    return *this;
  }
  // Runs a statement that returns no rows; returns SQLite's result code.
  int run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}
std::uint64_t as_uint(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}

std::string column_blob(sqlite3_stmt* s, int i) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(s, i));
  return std::string(data ? data : "", static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

// FNV-1a: stable across versions and machines, unlike std::hash.
std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t legacy_group_id(const std::string& name) {
  return fnv1a("synod-group:" + name) | 1;
}

// What a checkpoint's bytes must hash to, kept in 63 bits (SQLite's integers are signed).
std::int64_t checkpoint_checksum(const std::string& state) {
  return static_cast<std::int64_t>(fnv1a(state) >> 1);
}

}  // namespace

struct sqlite_storage::impl {
  std::string path;
  struct stat opened {};  // the file this connection writes to
  int lock_fd = -1;
  sqlite3* db = nullptr;
  std::unique_ptr<statement> begin, end, rollback, scalar, accept, deliver, set_meta, snapshot;
  std::unique_ptr<statement> forget_delivered, forget_accepted, forget_snapshots, checkpoint;
  std::unique_ptr<statement> add_transfer_part, restart_transfer, end_transfer;
  std::unique_ptr<statement> read_page;  // prepared on first use

  ~impl() {
    begin.reset();
    end.reset();
    rollback.reset();
    scalar.reset();
    accept.reset();
    deliver.reset();
    set_meta.reset();
    snapshot.reset();
    forget_delivered.reset();
    forget_accepted.reset();
    forget_snapshots.reset();
    checkpoint.reset();
    add_transfer_part.reset();
    restart_transfer.reset();
    end_transfer.reset();
    read_page.reset();  // every statement is finalized first, or the close fails and leaks
    if (db) sqlite3_close(db);
    if (lock_fd >= 0) close(lock_fd);  // releases the flock
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw storage_error("database " + path + ": " + what);
  }
  [[noreturn]] void fail_sqlite(const std::string& what) const {
    const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
      fail("corrupted or not a synod database (" + std::string(sqlite3_errstr(code)) + ")");
    fail(what + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
  }

  void exec(const char* sql, const std::string& what) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      sqlite3_free(error);
      fail_sqlite(what);
    }
  }

  std::unique_ptr<statement> prepare(const char* sql, const std::string& what) const {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      fail_sqlite(what);
    return std::make_unique<statement>(stmt);
  }

  std::string query_text(const char* sql, const std::string& what) {
    auto stmt = prepare(sql, what);
    const statement& s = *stmt;
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) fail_sqlite(what);
    const auto* text = sqlite3_column_text(s.get(), 0);
    return text ? reinterpret_cast<const char*>(text) : "";
  }

  void make_directory() {
    const fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) return;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      fs::create_directories(dir, ec);
      if (ec) fail("cannot create directory " + dir.string() + ": " + ec.message());
    }
    if (access(dir.c_str(), W_OK) != 0)
      fail("directory " + dir.string() + " is not writable: " + std::strerror(errno));
  }

  // Another running node holding the same files would break every promise it made: refuse.
  void take_lock() {
    const std::string lock_path = path + ".lock";
    lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0) fail("cannot open lock file " + lock_path + ": " + std::strerror(errno));
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK)
        fail("in use by another running node (" + lock_path + " is locked)");
      fail("cannot lock " + lock_path + ": " + std::strerror(errno));
    }
  }

  void open_database(long long max_pages) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
      fail_sqlite("cannot open");
    sqlite3_extended_result_codes(db, 0);
    // 16 KB pages: a 64 KB batch is four WAL frames, not sixteen (measured: ~35% less time per
    // large commit, the same for small ones). Takes effect only when the file is created.
    exec("PRAGMA page_size=16384", "cannot set the page size");
    if (query_text("PRAGMA journal_mode=WAL", "cannot enable WAL") != "wal")
      fail("cannot enable WAL journaling");
    exec("PRAGMA synchronous=FULL", "cannot set synchronous=FULL");
    // Debian builds SQLite to overwrite everything deleted with zeros: a cut of the log would
    // then write every freed page again (measured: p99 commit latency x7 with truncation).
    // FAST zeroes what is on pages written anyway, and frees the rest without writing it.
    exec("PRAGMA secure_delete=FAST", "cannot set secure_delete");
    // SQLite's own checkpoints (every 1,000 pages, inside the commit that crosses it) are kept:
    // on one disk, a checkpoint on another thread measured a worse p99 commit latency (its
    // fsyncs compete with every commit's; docs/benchmarks.md). Once the WAL restarts, its file
    // is cut back to this size.
    exec("PRAGMA journal_size_limit=33554432", "cannot limit the WAL file");
    if (max_pages > 0)
      exec(("PRAGMA max_page_count=" + std::to_string(max_pages)).c_str(), "cannot cap size");
    const std::string check = query_text("PRAGMA quick_check", "integrity check failed");
    if (check != "ok") fail("corrupted (" + check + ")");
  }

  void check_or_create_schema(const std::string& group, node_id node) {
    const std::string tables =
        query_text("SELECT count(*) FROM sqlite_master", "cannot read schema");
    if (tables == "0") {
      exec("BEGIN IMMEDIATE", "cannot create schema");
      exec(schema, "cannot create schema");
      auto insert =
          prepare("INSERT INTO meta (name, value) VALUES (?1, ?2)", "cannot create schema");
      statement& meta = *insert;
      for (const auto& [name, value] :
           {std::pair<std::string, std::string>{"schema_version", std::to_string(schema_version)},
            {"group", group},
            {"node", std::to_string(node)}}) {
        meta.bind(1, name, false).bind(2, value, false);
        if (meta.run() != SQLITE_DONE) fail_sqlite("cannot create schema");
      }
      exec("COMMIT", "cannot create schema");
      return;
    }
    if (query_text("SELECT count(*) FROM sqlite_master WHERE name='meta'", "cannot read schema") !=
        "1")
      fail("not a synod database (no meta table)");
    std::string version =
        query_text("SELECT value FROM meta WHERE name='schema_version'", "cannot read schema");
    if (version == "1") {
      exec("BEGIN IMMEDIATE", "cannot upgrade the schema");
      exec(upgrade_from_1, "cannot upgrade the schema");
      exec("COMMIT", "cannot upgrade the schema");
      version = "2";
    }
    if (version == "2") {
      exec("BEGIN IMMEDIATE", "cannot upgrade the schema");
      exec(upgrade_from_2, "cannot upgrade the schema");
      exec("COMMIT", "cannot upgrade the schema");
      version = "3";
    }
    if (version == "3") {
      exec("BEGIN IMMEDIATE", "cannot upgrade the schema");
      exec(upgrade_from_3, "cannot upgrade the schema");
      exec("COMMIT", "cannot upgrade the schema");
      version = "4";
    }
    if (version != std::to_string(schema_version))
      fail("schema version " + version + ", this synod reads version " +
           std::to_string(schema_version));
    const std::string stored_group =
        query_text("SELECT value FROM meta WHERE name='group'", "cannot read schema");
    if (stored_group != group) fail("belongs to group '" + stored_group + "', not '" + group + "'");
    const std::string stored_node =
        query_text("SELECT value FROM meta WHERE name='node'", "cannot read schema");
    if (stored_node != std::to_string(node))
      fail("belongs to node " + stored_node + ", not node " + std::to_string(node));
  }

  // SQLite goes on writing into a file that was deleted (or replaced) under it, and a restart
  // would then find an empty database: every promise lost. Checked before each commit.
  void remember_file() {
    if (stat(path.c_str(), &opened) != 0) fail("cannot stat: " + std::string(std::strerror(errno)));
  }
  void check_still_there() const {
    struct stat now {};
    if (stat(path.c_str(), &now) != 0)
      fail("the database file is gone (data directory deleted while the member ran?): " +
           std::string(std::strerror(errno)) + "; nothing more is acknowledged");
    if (now.st_ino != opened.st_ino || now.st_dev != opened.st_dev)
      fail("the database file was replaced while the member ran; nothing more is acknowledged");
  }

  void prepare_all() {
    const std::string what = "cannot prepare statements";
    begin = prepare("BEGIN IMMEDIATE", what);
    end = prepare("COMMIT", what);
    rollback = prepare("ROLLBACK", what);
    scalar = prepare(upsert_scalar, what);
    accept = prepare(
        "INSERT OR REPLACE INTO accepted (slot, round_counter, round_node, value) "
        "VALUES (?1, ?2, ?3, ?4)",
        what);
    deliver = prepare("INSERT OR REPLACE INTO delivered (slot, value) VALUES (?1, ?2)", what);
    set_meta = prepare("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)", what);
    snapshot = prepare("INSERT OR REPLACE INTO snapshots (slot, value) VALUES (?1, ?2)", what);
    forget_delivered = prepare("DELETE FROM delivered WHERE slot <= ?1", what);
    forget_accepted = prepare("DELETE FROM accepted WHERE slot <= ?1", what);
    forget_snapshots = prepare("DELETE FROM snapshots WHERE slot < ?1", what);
    checkpoint = prepare(upsert_checkpoint, what);
    add_transfer_part = prepare(
        "INSERT OR REPLACE INTO transfer (byte_offset, slot, size, digest, part) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        what);
    restart_transfer = prepare("DELETE FROM transfer", what);
    end_transfer = prepare("DELETE FROM transfer WHERE slot <= ?1", what);
  }

  int keep_checkpoint(const checkpoint_record& r) {
    const int rc = checkpoint->bind(1, as_int(r.slot))
                       .bind(2, r.state, true)
                       .bind(3, checkpoint_checksum(r.state))
                       .run();
    return rc != SQLITE_DONE ? rc : end_transfer->bind(1, as_int(r.slot)).run();
  }

  int keep_transfer_part(const transfer_chunk_record& record) {
    const checkpoint_chunk& r = record.part;
    if (r.offset == 0)
      if (const int rc = restart_transfer->run(); rc != SQLITE_DONE || r.slot == 0) return rc;
    return add_transfer_part->bind(1, as_int(r.offset))
        .bind(2, as_int(r.slot))
        .bind(3, as_int(r.size))
        .bind(4, static_cast<std::int64_t>(r.digest))
        .bind(5, r.bytes, true)
        .run();
  }

  // Deletes by slot range on the primary key: the pages freed are reused by later commits, so
  // the file stops growing once retention is reached.
  int truncate(slot_t up_to) {
    for (auto* s : {forget_delivered.get(), forget_accepted.get(), forget_snapshots.get()})
      if (const int rc = s->bind(1, as_int(up_to)).run(); rc != SQLITE_DONE) return rc;
    return scalar->bind(1, "truncated", false).bind(2, as_int(up_to)).bind(3, 0).run();
  }

  // SQLite checks its b-trees, not the bytes of a value: the codec's CRC-32 does.
  batch decode_column(const std::string& table, slot_t slot, sqlite3_stmt* row, int column) const {
    try {
      return decode_batch(column_blob(row, column));
    } catch (const std::exception& e) {
      fail("corrupted " + table + " value at slot " + std::to_string(slot) + " (" + e.what() + ")");
    }
  }

  int write(const durable_record& record) {
    const auto set_scalar = [&](const char* name, std::uint64_t counter, node_id n) {
      return scalar->bind(1, name, false).bind(2, as_int(counter)).bind(3, n).run();
    };
    return std::visit(
        overloaded{
            [&](const promise_record& r) {
              return set_scalar("promise", r.round.counter, r.round.node);
            },
            [&](const round_counter_record& r) {
              return set_scalar("round_counter", r.counter, 0);
            },
            [&](const incarnation_record& r) {
              return set_scalar("incarnation", r.incarnation, 0);
            },
            [&](const group_record& r) {
              return set_meta->bind(1, "group_id", false)
                  .bind(2, std::to_string(r.group_id), false)
                  .run();
            },
            [&](const member_history_record& r) {
              // "DATABASE:INCARNATION"; databases of older versions hold "1" (not known).
              return set_meta->bind(1, "history:" + std::to_string(r.node), false)
                  .bind(
                      2,
                      std::to_string(r.seen.database_id) + ":" + std::to_string(r.seen.incarnation),
                      false)
                  .run();
            },
            [&](const database_record& r) {
              return set_meta->bind(1, "database_id", false)
                  .bind(2, std::to_string(r.database_id), false)
                  .run();
            },
            [&](const accept_record& r) {
              return accept->bind(1, as_int(r.slot))
                  .bind(2, as_int(r.round.counter))
                  .bind(3, r.round.node)
                  .bind(4, r.value.flat(), true)
                  .run();
            },
            [&](const delivery_record& r) {
              return deliver->bind(1, as_int(r.slot)).bind(2, r.value.flat(), true).run();
            },
            [&](const snapshot_record& r) {
              const std::string bytes = encode(r.snapshot);
              return snapshot->bind(1, as_int(r.snapshot.slot)).bind(2, bytes, true).run();
            },
            [&](const truncate_record& r) { return truncate(r.up_to); },
            [&](const checkpoint_record& r) { return keep_checkpoint(r); },
            [&](const transfer_chunk_record& r) { return keep_transfer_part(r); },
        },
        record);
  }
};

sqlite_storage::sqlite_storage(const sqlite_options& options) : impl_(std::make_unique<impl>()) {
  impl_->path = options.path;
  impl_->make_directory();
  impl_->take_lock();
  impl_->open_database(options.max_pages);
  impl_->check_or_create_schema(options.group, options.node);
  impl_->remember_file();
  impl_->prepare_all();
}

sqlite_storage::~sqlite_storage() = default;

void sqlite_storage::commit(const std::vector<durable_record>& records) {
  if (records.empty()) return;
  auto& d = *impl_;
  d.check_still_there();
  if (d.begin->run() != SQLITE_DONE) d.fail_sqlite("cannot begin a commit");
  for (const auto& r : records) {
    if (d.write(r) != SQLITE_DONE) {
      const std::string reason = sqlite3_errmsg(d.db);
      d.rollback->run();
      d.fail("commit failed, nothing of it is durable: " + reason);
    }
  }
  if (d.end->run() != SQLITE_DONE) {
    const std::string reason = sqlite3_errmsg(d.db);
    if (!sqlite3_get_autocommit(d.db)) d.rollback->run();
    d.fail("commit failed, nothing of it is durable: " + reason);
  }
}

recovered_state sqlite_storage::recover(slot_t window) const {
  auto& d = *impl_;
  recovered_state state;
  std::string legacy_name;
  {
    auto stmt = d.prepare("SELECT name, counter, node FROM scalars", "cannot read state");
    statement& s = *stmt;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
      const auto counter = as_uint(sqlite3_column_int64(s.get(), 1));
      const auto node = static_cast<node_id>(sqlite3_column_int64(s.get(), 2));
      if (name == "promise") state.promised = round_t{counter, node};
      if (name == "round_counter") state.round_counter = counter;
      if (name == "incarnation") state.incarnation = counter;
    }
    if (rc != SQLITE_DONE) d.fail_sqlite("cannot read state");
  }
  {
    auto stmt = d.prepare("SELECT name, value FROM meta", "cannot read state");
    statement& s = *stmt;
    int rc;
    std::string group_name;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
      const std::string value = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
      try {
        if (name == "group") group_name = value;
        if (name == "group_id") state.group_id = std::stoull(value);
        if (name == "database_id") state.database_id = std::stoull(value);
        if (name.rfind("history:", 0) == 0) {
          peer_identity seen;
          if (const auto colon = value.find(':'); colon != std::string::npos) {
            seen.database_id = std::stoull(value.substr(0, colon));
            seen.incarnation = std::stoull(value.substr(colon + 1));
          }
          state.members_with_history[static_cast<node_id>(std::stoul(name.substr(8)))] = seen;
        }
      } catch (const std::logic_error&) {
        d.fail("corrupted (meta entry '" + name + "' = '" + value + "')");
      }
    }
    if (rc != SQLITE_DONE) d.fail_sqlite("cannot read state");
    legacy_name = group_name;
  }
  const auto decode_at = [&](const std::string& table, slot_t slot, sqlite3_stmt* row, int column) {
    return d.decode_column(table, slot, row, column);
  };
  // Recovery starts from the newest snapshot: only the slots after it are read, so restart time
  // does not grow with history. Below the memory window only their ids are kept.
  {
    auto stmt =
        d.prepare("SELECT slot, value FROM snapshots ORDER BY slot", "cannot read snapshots");
    statement& s = *stmt;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const slot_t slot = as_uint(sqlite3_column_int64(s.get(), 0));
      try {
        state.snapshots.push_back(decode_snapshot(column_blob(s.get(), 1)));
      } catch (const std::exception& e) {
        d.fail("corrupted snapshot at slot " + std::to_string(slot) + " (" + e.what() + ")");
      }
      if (state.snapshots.back().slot != slot || !state.snapshots.back().delivered.well_formed())
        d.fail("corrupted snapshot at slot " + std::to_string(slot));
    }
    if (rc != SQLITE_DONE) d.fail_sqlite("cannot read snapshots");
  }
  {
    auto stmt = d.prepare("SELECT slot, state, checksum FROM checkpoint", "cannot read checkpoint");
    statement& s = *stmt;
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      state.checkpoint.slot = as_uint(sqlite3_column_int64(s.get(), 0));
      state.checkpoint.state = column_blob(s.get(), 1);
      if (checkpoint_checksum(state.checkpoint.state) != sqlite3_column_int64(s.get(), 2))
        d.fail("corrupted checkpoint at slot " + std::to_string(state.checkpoint.slot));
    } else if (rc != SQLITE_DONE) {
      d.fail_sqlite("cannot read checkpoint");
    }
  }
  {
    // The parts of a transfer under way, consecutive from byte 0; the transfer's digest checks
    // them once complete, so a damaged part only makes it start over.
    auto stmt = d.prepare(
        "SELECT slot, size, digest, byte_offset, part FROM transfer ORDER BY "
        "byte_offset",
        "cannot read the state transfer");
    statement& s = *stmt;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const transfer_chunk_record part{
          {as_uint(sqlite3_column_int64(s.get(), 0)), as_uint(sqlite3_column_int64(s.get(), 1)),
           as_uint(sqlite3_column_int64(s.get(), 2)), as_uint(sqlite3_column_int64(s.get(), 3)),
           column_blob(s.get(), 4)}};
      if (!state.transfer.take(part)) break;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) d.fail_sqlite("cannot read the state transfer");
    if (state.transfer.slot <= state.checkpoint.slot) state.transfer = transfer_progress{};
  }
  state.truncated_up_to =
      as_uint(std::stoll("0" + d.query_text("SELECT counter FROM scalars WHERE name='truncated'",
                                            "cannot read the truncated prefix")));
  if (!state.snapshots.empty()) start_from_snapshot(state, state.snapshots.back());
  const slot_t base = state.forgotten_up_to;
  const slot_t delivered_up_to =
      std::max(base, as_uint(std::stoll("0" + d.query_text("SELECT max(slot) FROM delivered",
                                                           "cannot read delivered batches"))));
  const slot_t floor = std::max(base, recovery_floor(delivered_up_to, window));
  state.forgotten_up_to = floor;
  {
    auto stmt = d.prepare(
        "SELECT slot, round_counter, round_node, value FROM accepted WHERE slot > ?1 ORDER BY slot",
        "cannot read accepted values");
    statement& s = *stmt;
    s.bind(1, as_int(floor));
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const slot_t slot = as_uint(sqlite3_column_int64(s.get(), 0));
      const round_t round{as_uint(sqlite3_column_int64(s.get(), 1)),
                          static_cast<node_id>(sqlite3_column_int64(s.get(), 2))};
      state.accepted[slot] = accepted_value{slot, round, decode_at("accepted", slot, s.get(), 3)};
    }
    if (rc != SQLITE_DONE) d.fail_sqlite("cannot read accepted values");
  }
  {
    auto stmt = d.prepare("SELECT slot, value FROM delivered WHERE slot > ?1 ORDER BY slot",
                          "cannot read delivered batches");
    statement& s = *stmt;
    s.bind(1, as_int(base));
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const slot_t slot = as_uint(sqlite3_column_int64(s.get(), 0));
      batch value = decode_at("delivered", slot, s.get(), 1);
      if (slot <= floor) {
        forget_delivered(state, slot, value);
      } else {
        state.delivered[slot] = std::move(value);
      }
    }
    if (rc != SQLITE_DONE) d.fail_sqlite("cannot read delivered batches");
  }
  // A database from before group ids: every member of such a group derives the same id from the
  // group's name, which was all that told groups apart then.
  if (state.group_id == 0 && state.has_history()) state.group_id = legacy_group_id(legacy_name);
  spdlog::info(
      "recovered {}: promise ({},{}), {} accepted slots, delivered up to slot {} ({} in memory, "
      "read from slot {}), truncated up to slot {}, round counter {}, incarnation {}",
      d.path, state.promised.counter, state.promised.node, state.accepted.size(),
      state.delivered_up_to(), state.delivered.size(), base + 1, state.truncated_up_to,
      state.round_counter, state.incarnation);
  return state;
}

std::vector<std::pair<slot_t, batch>> sqlite_storage::read_delivered(slot_t from,
                                                                     std::size_t max_bytes) const {
  auto& d = *impl_;
  if (!d.read_page)
    d.read_page = d.prepare("SELECT slot, value FROM delivered WHERE slot >= ?1 ORDER BY slot",
                            "cannot read delivered batches");
  statement& s = *d.read_page;
  s.bind(1, as_int(from));
  std::vector<std::pair<slot_t, batch>> page;
  std::size_t bytes = 0;
  int rc;
  while ((page.empty() || bytes < max_bytes) && (rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const slot_t slot = as_uint(sqlite3_column_int64(s.get(), 0));
    page.emplace_back(slot, d.decode_column("delivered", slot, s.get(), 1));
    bytes += page.back().second.payload_bytes();
  }
  sqlite3_reset(s.get());
  return page;
}

}  // namespace synod
