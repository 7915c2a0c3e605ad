// The accounts schema as migrations, recorded as schema "accounts" (the site app shares it).
// Append, never edit. Databases from before fh_migrations counted these steps in
// PRAGMA user_version: they are adopted, not run again.
#include "signin.hpp"

namespace accounts {

const fh::sqlite::Migrations& migrations() {
  static const fh::sqlite::Migrations all{
      "accounts",
      {
          // 1: users, groups and memberships.
          R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  session_gen   INTEGER NOT NULL DEFAULT 0, -- bumped by sign-out: older session cookies die
  created_at    INTEGER NOT NULL
);
CREATE TABLE groups (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
CREATE TABLE memberships (
  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);
)sql",
          // 2: the permission model. Admins are made only by accounts-admin; a group's owner is the
          // user who created it (NULL for groups made before this migration, or whose owner was
          // deleted: those are managed by admins only).
          R"sql(
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX groups_by_owner ON groups(owner_id);
)sql",
          // 3: the sign-in throttle (throttle.cpp): one row per failed (or pending) sign-in,
          // keyed "email:<lower-case email>" or "addr:<client address>", pruned after the window.
          // (Since the lock on (email, address) pairs, also "pair:<length>:<email>:<address>";
          // "email:" rows are the per-email backstop. Keys only: the table is unchanged.)
          R"sql(
CREATE TABLE signin_failures (
  key TEXT NOT NULL,
  at  INTEGER NOT NULL -- unix seconds
);
CREATE INDEX signin_failures_by_key ON signin_failures(key, at);
CREATE INDEX signin_failures_by_time ON signin_failures(at);
)sql",
      },
      true};
  return all;
}

} // namespace accounts
