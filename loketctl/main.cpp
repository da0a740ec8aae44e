// loketctl: the operator's tool.  A thin front over core: it reads the same
// configuration as the workers ($LOKET_HOME/loket.properties or --config FILE).
#include "Tool.h"
#include "Clock.h"
#include "Schema.h"
#include "SecretBox.h"
#include <Poco/Path.h>
#include <iostream>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Loketctl;

namespace Loketctl {

Tool::Tool(const std::string& configPath) : _config(Loket::Config::load(Loket::Config::locate(configPath)))
{
    Loket::Clock::useZone(_config.timezone);
}

Loket::Database& Tool::db()
{
    if (!_db) _db = std::make_unique<Loket::Database>(_config);
    return *_db;
}

Loket::Partner requirePartner(Tool& tool, const std::string& memberId)
{
    Loket::Partner p;
    if (!Loket::Partners(tool.db()).find(memberId, p)) throw std::runtime_error("no partner " + memberId);
    return p;
}

bool yesNo(const std::string& value, const std::string& option)
{
    if (value == "yes") return true;
    if (value == "no") return false;
    throw UsageError(option + " takes yes or no");
}

} // namespace Loketctl

namespace {

void addInit(std::vector<Command>& commands)
{
    commands.push_back({"init", "init",
                        "Creates the ledger, or brings it to the current schema version, and creates the key file\n"
                        "(auth.key_file, mode 0600) that seals partners' pins and passwords. Never wipes data\n"
                        "and never replaces a key.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Loket::Schema::install(tool.db(), tool.config().sqlDir);
                            std::cout << "ledger ready: " << Loket::redactSecrets(tool.config().databaseConnect)
                                      << " (schema version "
                                      << Loket::Schema::version(tool.db()) << ")\n";
                            // The key that seals partners' secrets: made once, never printed.
                            const std::string& key = tool.config().authKeyFile;
                            if (Loket::SecretBox::createKeyFile(key))
                                std::cout << "key file created: " << key << " (mode 0600; back it up apart from the ledger)\n";
                            Loket::SecretBox::fromKeyFile(key);   // refuses a key open to other users
                            return 0;
                        }});
}

/// Root must not touch a SQLite ledger that belongs to another user (the
/// workers' `loket`): SQLite would create ledger.db-wal and -shm as root, and
/// the workers could no longer open the ledger.  Returns "PATH belongs to
/// USER" when that would happen (PATH: the ledger, or its directory when the
/// ledger does not exist yet).
std::string foreignLedger(const Loket::Config& config)
{
    if (::geteuid() != 0 || config.databaseConnector != "sqlite" || config.databaseConnect.empty()) return "";
    std::string path = config.databaseConnect;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
    {
        path = Poco::Path(config.databaseConnect).parent().toString();
        if (::stat(path.c_str(), &st) != 0) return "";
    }
    if (st.st_uid == 0) return "";
    struct passwd* pw = ::getpwuid(st.st_uid);
    std::string owner = pw ? pw->pw_name : std::to_string(st.st_uid);
    return path + " belongs to " + owner + "; run loketctl as that user (runuser -u " + owner +
           " -- loketctl ...): files root creates there would lock the workers out";
}

void addConfigCommands(std::vector<Command>& commands)
{
    // Tool loads (and so checks) the config before any command runs: a bad
    // one never gets here, main prints its one line and exits 1.
    commands.push_back({"config check", "config check",
                        "Checks the configuration file (every key known, every value of its type and in range,\n"
                        "the time zone known, log.file writable). Prints \"ok: FILE\", or one line naming the\n"
                        "file, the key and what is wrong and exits 1.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            std::cout << "ok: " << tool.config().file << "\n";
                            return 0;
                        }});
}

/// The commands of `group` ("partner" for "partner add", "partner set", ...).
std::vector<const Command*> groupOf(const std::vector<Command>& commands, const std::string& group)
{
    std::vector<const Command*> out;
    for (const auto& c : commands)
        if (c.name.compare(0, group.size() + 1, group + " ") == 0) out.push_back(&c);
    return out;
}

void usage(const std::vector<Command>& commands, std::ostream& out)
{
    out << "usage: loketctl [--config FILE] COMMAND [ARGS]\n\ncommands:\n";
    for (const auto& c : commands) out << "  " << c.usage << "\n";
    out << "\nEvery command takes --help.\n";
}

} // namespace

int main(int argc, char** argv)
{
    // A ledger, WAL or key this tool creates is not for other local users.
    ::umask(027);
    std::vector<Command> commands;
    addInit(commands);
    addPartnerCommands(commands);
    addProductCommands(commands);
    addMoneyCommands(commands);
    addSimCommands(commands);
    addCallbackCommands(commands);
    addRouteCommands(commands);
    addTransactionCommands(commands);
    addTemplateCommands(commands);
    addLedgerCommands(commands);
    addSupplierCommands(commands);
    addPriceCommands(commands);
    addConfigCommands(commands);

    std::vector<std::string> words;
    std::string configPath;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (a == "--config" && words.empty())
        {
            if (i + 1 >= argc)
            {
                std::cerr << "loketctl: --config needs a file\n";
                return 2;
            }
            configPath = argv[++i];
        }
        else words.push_back(a);
    }
    if (words.empty() || words[0] == "--help" || words[0] == "help")
    {
        usage(commands, words.empty() ? std::cerr : std::cout);
        return words.empty() ? 2 : 0;
    }

    const Command* chosen = nullptr;
    std::size_t used = 0;
    for (const auto& c : commands)
    {
        std::size_t n = c.name.find(' ') == std::string::npos ? 1 : 2;
        std::string name = words[0] + (n == 2 && words.size() > 1 ? " " + words[1] : "");
        if (name == c.name && n > used) chosen = &c, used = n;
    }
    auto group = groupOf(commands, words[0]);
    if (!chosen && !group.empty())
    {
        // "loketctl partner" or "loketctl partner --help": what the group can do.
        bool asked = words.size() > 1 && (words[1] == "--help" || words[1] == "help");
        std::ostream& out = asked ? std::cout : std::cerr;
        if (!asked && words.size() > 1) out << "loketctl: unknown command '" << words[0] << " " << words[1] << "'\n";
        out << "usage:\n";
        for (const auto* c : group) out << "  loketctl " << c->usage << "\n";
        out << "\nEvery command takes --help.\n";
        return asked ? 0 : 2;
    }
    if (!chosen)
    {
        std::cerr << "loketctl: unknown command '" << words[0] << "'\n";
        usage(commands, std::cerr);
        return 2;
    }
    std::vector<std::string> rest(words.begin() + used, words.end());
    for (const auto& w : rest)
        if (w == "--help")
        {
            std::cout << "usage: loketctl " << chosen->usage << "\n\n" << chosen->help << "\n";
            return 0;
        }
    try
    {
        Args args(rest, chosen->valueOptions, chosen->flags);
        Tool tool(configPath);
        std::string foreign = foreignLedger(tool.config());
        if (!foreign.empty())
        {
            std::cerr << "loketctl: " << foreign << "\n";
            return 1;
        }
        return chosen->run(tool, args);
    }
    catch (const Loket::ConfigError& e)
    {
        std::cerr << e.what() << "\n";
        return 1;
    }
    catch (const UsageError& e)
    {
        std::cerr << "loketctl " << chosen->name << ": " << e.what() << "\nusage: loketctl " << chosen->usage << "\n";
        return 2;
    }
    catch (const Poco::Exception& e)
    {
        std::cerr << "loketctl " << chosen->name << ": " << Loket::redactSecrets(e.displayText()) << "\n";
        return 1;
    }
    catch (const std::exception& e)
    {
        std::cerr << "loketctl " << chosen->name << ": " << Loket::redactSecrets(e.what()) << "\n";
        return 1;
    }
}
