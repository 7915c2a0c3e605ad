// accounts-admin: the command line for the accounts database, reading the same config file as
// the app. `init` creates the database and applies the schema, `migrate` applies pending
// migrations, `create-user [--admin] --name N --email E --password-stdin` adds a user (the
// password is read from stdin, never from the command line, where `ps` would show it), and
// `grant-admin EMAIL` / `revoke-admin EMAIL` change an existing user's admin right (this is the
// only way to make an admin: the API never does), `unlock EMAIL` lifts the sign-in throttle's
// locks on an email and `unlock-address ADDR` those on a client address.
#include "accounts.hpp"

#include <boost/program_options.hpp>

#include <iostream>

namespace po = boost::program_options;

namespace {

struct Args {
  std::string config, command, name, email, target;
  bool password_stdin = false, admin = false;
};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  po::options_description desc(
      "accounts-admin [--config FILE] "
      "init|migrate|create-user|grant-admin EMAIL|revoke-admin EMAIL|unlock EMAIL|"
      "unlock-address ADDR\n"
      "unlock EMAIL lifts the sign-in throttle's locks on EMAIL (deletes its failures from every "
      "address)\n"
      "unlock-address ADDR lifts those on the client address ADDR, as the log names it (deletes "
      "its failures for every email)\noptions");
  desc.add_options()("help,h", "show this help")("config,c", po::value(&a.config),
                                                 "config file (default: $APP_CONFIG_FILE)")(
      "name", po::value(&a.name), "create-user: display name")("email", po::value(&a.email),
                                                               "create-user: email address")(
      "password-stdin", po::bool_switch(&a.password_stdin),
      "create-user: read the password from the first line of stdin")(
      "admin", po::bool_switch(&a.admin), "create-user: make the new user an admin");
  po::options_description hidden;
  hidden.add_options()("command", po::value(&a.command))("target", po::value(&a.target));
  po::positional_options_description pos;
  pos.add("command", 1).add("target", 1);
  po::options_description all;
  all.add(desc).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help") || a.command.empty()) {
    std::cout << desc << "\n";
    return std::nullopt;
  }
  return a;
}

int create_user(fh::sqlite::Connection& db, const Args& a, const fh::PasswordCost& cost) {
  if (!a.password_stdin) throw std::invalid_argument("create-user needs --password-stdin");
  std::string password;
  std::getline(std::cin, password);
  const nlohmann::json in = {{"name", a.name}, {"email", a.email}, {"password", password}};
  const auto user = accounts::create_user_from(db, in, cost, a.admin);
  std::cout << user.dump() << "\n";
  return 0;
}

// grant-admin / revoke-admin EMAIL. Takes effect on the user's next request (the permission hook
// reads the flag from the database every time); sessions are kept.
int set_admin(fh::sqlite::Connection& db, const std::string& email, bool admin) {
  if (email.empty()) throw std::invalid_argument("grant-admin/revoke-admin need an EMAIL");
  fh::sqlite::Transaction tx(db);
  const auto id =
      db.scalar<std::optional<std::int64_t>>("SELECT id FROM users WHERE email = ?", email);
  if (!id) throw std::invalid_argument("no user with the email " + email);
  db.execute("UPDATE users SET is_admin = ? WHERE id = ?", admin, *id);
  tx.commit();
  std::cout << accounts::find_user(db, *id)->dump() << "\n";
  return 0;
}

// unlock EMAIL: deletes the email's sign-in failures from every address and its backstop count
// (whether or not the account exists: unknown emails are throttled alike). Takes effect at once.
int unlock(fh::sqlite::Connection& db, const std::string& email) {
  if (email.empty()) throw std::invalid_argument("unlock needs an EMAIL");
  const auto n = accounts::unlock_sign_in(db, email);
  std::cout << "unlocked " << email << ": " << n << " failed sign-in(s) removed\n";
  return 0;
}

// unlock-address ADDR: deletes the address's own count and its failures for every email (the
// emails' backstops stay: they count every address together). Takes effect at once.
int unlock_address(fh::sqlite::Connection& db, const std::string& address) {
  if (address.empty()) throw std::invalid_argument("unlock-address needs an ADDR");
  const auto n = accounts::unlock_sign_in_address(db, address);
  std::cout << "unlocked address " << address << ": " << n << " failed sign-in(s) removed\n";
  return 0;
}

int run(const Args& a) {
  const bool admin_command = a.command == "grant-admin" || a.command == "revoke-admin";
  const bool unlock_command = a.command == "unlock" || a.command == "unlock-address";
  if (!a.target.empty() && !admin_command && !unlock_command)
    throw std::invalid_argument("unexpected argument '" + a.target + "'");
  if (a.admin && a.command != "create-user")
    throw std::invalid_argument("--admin goes with create-user (else: grant-admin EMAIL)");
  fh::Config cfg;
  if (!a.config.empty())
    cfg.load_file(a.config);
  else
    cfg.load_from_env("APP_CONFIG_FILE", true);
  auto settings = fh::sqlite::DatabaseSettings::from_config(cfg, accounts::migrations());
  fh::sqlite::Connection db(settings.path, settings.busy_timeout_ms);
  if (a.command == "init" || a.command == "migrate") {
    const int n = db.migrate(settings.migrations);
    std::cout << "database " << settings.path << ": applied " << n
              << " migration(s), schema version " << db.schema_version(settings.migrations.name)
              << "\n";
    return 0;
  }
  if (a.command == "create-user") {
    db.migrate(settings.migrations);
    return create_user(db, a, fh::PasswordCost::from_config(cfg));
  }
  if (admin_command) {
    db.migrate(settings.migrations);
    return set_admin(db, a.target, a.command == "grant-admin");
  }
  if (a.command == "unlock") {
    db.migrate(settings.migrations);
    return unlock(db, a.target);
  }
  if (a.command == "unlock-address") {
    db.migrate(settings.migrations);
    return unlock_address(db, a.target);
  }
  throw std::invalid_argument(
      "unknown command '" + a.command +
      "' (init, migrate, create-user, grant-admin, revoke-admin, unlock, unlock-address)");
}

} // namespace

int main(int argc, char** argv) {
  try {
    auto args = parse(argc, argv);
    if (!args) return 2;
    return run(*args);
  } catch (const accounts::FieldError& e) {
    std::cerr << "accounts-admin: " << e.field() << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "accounts-admin: " << e.what() << "\n";
  }
  return 1;
}
