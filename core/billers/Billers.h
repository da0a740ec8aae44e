#pragma once
#include "Biller.h"
#include "Config.h"
#include "Database.h"
#include <map>
#include <memory>
#include <string>

namespace Loket {

/// The billers a product can name in its `biller` column.  Today: "sim".
/// An upstream H2H supplier over HTTP is added here as another Biller.
class Billers
{
public:
    Billers(const Config& config, Database& db);

    /// The biller called `name`, or nullptr when there is none.
    Biller* find(const std::string& name);

private:
    std::map<std::string, std::unique_ptr<Biller>> _billers;
};

} // namespace Loket
