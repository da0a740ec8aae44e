#pragma once
#include "Biller.h"
#include "Config.h"
#include "Database.h"
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace Loket {

/// The billers a dispatcher talks to, by the name products give in their
/// `biller` column.  Today: "sim", only where biller.sim.enabled is set.
class Billers
{
public:
    explicit Billers(const Config& config);

    /// The biller called `name`, or nullptr when there is none.
    Biller* find(const std::string& name);
    std::vector<std::string> names() const;

    /// True when a dispatcher with this configuration serves biller `name`:
    /// the request path refuses (RC 47, nothing debited) a product whose
    /// biller is unknown or disabled.
    static bool serves(const Config& config, Database& db, const std::string& name);

private:
    std::map<std::string, std::unique_ptr<Biller>> _billers;
};

} // namespace Loket
