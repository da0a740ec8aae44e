#include "Tool.h"
#include "Table.h"
#include "DefaultTemplates.h"
#include "Templates.h"
#include <iostream>

using namespace Poco::Data::Keywords;

namespace Loketctl {
namespace {

struct Row
{
    std::string rc, action, meaning, text;
};

std::vector<Row> rows(Loket::Database& db)
{
    std::vector<Row> out;
    Row r;
    Poco::Data::Statement st(db.session());
    st << "SELECT rc, action, meaning, text FROM response_codes ORDER BY rc, action", into(r.rc), into(r.action),
        into(r.meaning), into(r.text), range(0, 1);
    while (Loket::fetchNext(st)) out.push_back(r);
    return out;
}

/// Prints each bad template; returns how many there are.
int report(const std::vector<Row>& all)
{
    int bad = 0;
    for (const auto& r : all)
        for (const auto& problem : Loket::Templates::problems(r.rc, r.action, r.text))
        {
            std::cerr << "rc " << r.rc << " " << r.action << ": " << problem << "\n";
            ++bad;
        }
    return bad;
}

/// Refuses a response code Loket never answers with: its template would never be served.
void knownCode(Tool& tool, const std::string& rc)
{
    auto codes = Loket::DefaultTemplates::codes(tool.config().sqlDir);
    if (codes.count(rc)) return;
    std::string list;
    for (const auto& c : codes) list += (list.empty() ? "" : " ") + c;
    throw UsageError("RC " + rc + " is not a response code Loket answers with (known: " + list + ")");
}

} // namespace

void addTemplateCommands(std::vector<Command>& commands)
{
    commands.push_back({"rc list", "rc list [--csv]", "Lists the reply templates.", {}, {"--csv"},
                        [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Table table({"rc", "action", "text"});
                            for (const auto& r : rows(tool.db())) table.add({r.rc, r.action, r.text});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back(
        {"rc set", "rc set RC ACTION TEXT",
         "Sets the reply template of RC for ACTION (TRX, CEK, BAYAR, STATUS, SALDO). The text is checked\n"
         "first; a bad one is refused. Workers serve it after scripts/reload-templates.",
         {}, {}, [](Tool& tool, const Args& args) {
             const auto& p = args.positional(3);
             knownCode(tool, p[0]);
             auto problems = Loket::Templates::problems(p[0], p[1], p[2]);
             if (!problems.empty())
             {
                 for (const auto& problem : problems) std::cerr << "rc " << p[0] << " " << p[1] << ": " << problem << "\n";
                 return 1;
             }
             Loket::WriteTransaction tx(tool.db());
             tool.db().session() << "DELETE FROM response_codes WHERE rc = ? AND action = ?", bind(p[0]), bind(p[1]), now;
             tool.db().session() << "INSERT INTO response_codes (rc, action, text) VALUES (?, ?, ?)", bind(p[0]),
                 bind(p[1]), bind(p[2]), now;
             tx.commit();
             std::cout << "rc " << p[0] << " " << p[1] << " set; run scripts/reload-templates to serve it\n";
             return 0;
         }});
    commands.push_back(
        {"rc reset", "rc reset (RC ACTION | --all)",
         "Puts back the default template (sql/response_codes.sql) of RC for ACTION, or with --all every\n"
         "default template (templates of your own are removed). Workers serve it after scripts/reload-templates.",
         {}, {"--all"}, [](Tool& tool, const Args& args) {
             const std::string& sqlDir = tool.config().sqlDir;
             Loket::WriteTransaction tx(tool.db());
             if (args.flag("--all"))
             {
                 args.positional(0);
                 int count = Loket::DefaultTemplates::resetAll(tool.db(), sqlDir);
                 tx.commit();
                 std::cout << count << " default templates restored; run scripts/reload-templates to serve them\n";
                 return 0;
             }
             const auto& p = args.positional(2);
             knownCode(tool, p[0]);
             if (!Loket::DefaultTemplates::reset(tool.db(), sqlDir, p[0], p[1]))
                 throw UsageError("RC " + p[0] + " has no default template for " + p[1]);
             tx.commit();
             std::cout << "rc " << p[0] << " " << p[1] << " reset to its default; run scripts/reload-templates to serve it\n";
             return 0;
         }});
    commands.push_back({"rc check", "rc check",
                        "Validates every template (placeholders, action word, one status word, final '.').\n"
                        "Exits 1 naming each bad one.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            auto all = rows(tool.db());
                            int bad = report(all);
                            if (bad) return 1;
                            std::cout << all.size() << " templates ok\n";
                            return 0;
                        }});
}

} // namespace Loketctl
