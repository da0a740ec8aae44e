#pragma once
#include "Biller.h"
#include "Config.h"
#include "Database.h"
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Loket {

/// The billers a dispatcher talks to, by the name products and routes give:
/// the built-in "sim" (only where biller.sim.enabled is set) and every open
/// supplier of the suppliers table (docs/suppliers.md).  reload() picks up
/// suppliers added, changed, opened or closed since; a call in flight keeps
/// the biller it started with.
class Billers
{
public:
    explicit Billers(const Config& config);

    /// Reads the suppliers table again (with their secrets, from auth.key_file).
    /// Returns "" or why a supplier could not be loaded (it is left out).
    std::string reload(Database& db);

    /// The biller called `name`, or nullptr when there is none (or it is closed).
    std::shared_ptr<Biller> find(const std::string& name) const;
    std::vector<std::string> names() const;

    /// True when a dispatcher with this configuration serves biller `name`
    /// now: the sim where enabled, an open supplier.  The request path
    /// refuses (RC 47, nothing debited) a product with no such biller.
    static bool serves(const Config& config, Database& db, const std::string& name);

private:
    const Config& _config;
    mutable std::mutex _mutex;
    std::map<std::string, std::shared_ptr<Biller>> _billers;
};

} // namespace Loket
