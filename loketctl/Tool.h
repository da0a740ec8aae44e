#pragma once
#include "Args.h"
#include "Config.h"
#include "Database.h"
#include "Partners.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace Loketctl {

/// What every command gets: the configuration and, opened on first use, the ledger.
class Tool
{
public:
    explicit Tool(const std::string& configPath);
    const Loket::Config& config() const { return _config; }
    Loket::Database& db();

private:
    Loket::Config _config;
    std::unique_ptr<Loket::Database> _db;
};

/// One loketctl command: its words ("partner add"), usage line, help and body.
struct Command
{
    std::string name;
    std::string usage;
    std::string help;
    std::set<std::string> valueOptions;
    std::set<std::string> flags;
    std::function<int(Tool&, const Args&)> run;
};

/// The commands of each area, registered by main.
void addPartnerCommands(std::vector<Command>& commands);
void addProductCommands(std::vector<Command>& commands);
void addMoneyCommands(std::vector<Command>& commands);
void addSimCommands(std::vector<Command>& commands);
void addCallbackCommands(std::vector<Command>& commands);
void addRouteCommands(std::vector<Command>& commands);

/// Who runs loketctl: the login behind sudo/runuser if there is one, else the user (--by default).
std::string invokingUser();
void addTransactionCommands(std::vector<Command>& commands);
void addTemplateCommands(std::vector<Command>& commands);
void addLedgerCommands(std::vector<Command>& commands);
void addSupplierCommands(std::vector<Command>& commands);
void addPriceCommands(std::vector<Command>& commands);

/// The partner MEMBERID; throws (exit 1, "no partner MEMBERID") when there is none.
Loket::Partner requirePartner(Tool& tool, const std::string& memberId);

/// Yes/no words of --open and similar options.
bool yesNo(const std::string& value, const std::string& option);

} // namespace Loketctl
