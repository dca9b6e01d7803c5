// The forced log in SQLite: WAL, synchronous=FULL, prepared statements, one transaction per
// group commit. Opening checks that the file is this node's of this group, intact, and not held
// by another running process; recovery starts from the newest snapshot, reads only what follows
// it, and says what it found in one log line.
#pragma once

#include <memory>
#include <string>

#include "persistence/stable_storage.hpp"
#include "persistence/storage_error.hpp"

namespace synod {

struct sqlite_options {
  std::string path;         // the database file; created with its directory if missing
  std::string group;        // the group this node belongs to
  node_id node = 0;         // this node's id
  long long max_pages = 0;  // > 0: cap the file at this many pages (tests of a full disk)
};

class sqlite_storage final : public stable_storage {
 public:
  // Throws storage_error with a one-line reason if the database cannot be used.
  explicit sqlite_storage(const sqlite_options& options);
  ~sqlite_storage() override;
  sqlite_storage(const sqlite_storage&) = delete;
  sqlite_storage& operator=(const sqlite_storage&) = delete;

  // One transaction; durable (fsync) when it returns. Throws storage_error (e.g. disk full), and
  // then nothing of this commit is durable: the caller must not send what depended on it.
  void commit(const std::vector<durable_record>& records) override;
  recovered_state recover(slot_t window = 0) const override;
  std::vector<std::pair<slot_t, batch>> read_delivered(slot_t from,
                                                       std::size_t max_bytes) const override;

  static constexpr int schema_version = 4;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace synod
