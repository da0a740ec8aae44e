#pragma once
#include "Database.h"
#include "ResponseCode.h"
#include <map>
#include <string>
#include <vector>

namespace Loket {

/// Values for the bracket placeholders of a template, e.g. {"harga", "2000"}.
using Fields = std::map<std::string, std::string>;

/// The reply templates of the response_codes table, held in memory.
class Templates
{
public:
    /// Reads every row.  Throws if the table cannot be read, and, when
    /// `strict`, if any row fails problems() (a text changed by hand in SQL,
    /// which `loketctl rc set` would have refused); the caller then keeps its
    /// previous set.  Not strict, bad rows are left out and render falls back.
    void load(Database& db, bool strict = true);

    std::size_t size() const { return _texts.size(); }

    /// Renders the template for (rc, action).  Missing values render empty
    /// ([waktu]: the current time), and
    /// "[kodeproduk].[tujuan] " is left out entirely when either is unknown, so
    /// a reply never echoes an unvalidated product or dest.  A missing row falls
    /// back to the row for (rc, TRX) with its action word replaced, then to RC 99.
    std::string render(const std::string& rc, Action action, const Fields& fields) const;

    /// Fills the placeholders of `text` as render() does.
    static std::string renderText(std::string text, const Fields& fields);

    /// What is wrong with `text` as the template of (rc, action): unknown
    /// placeholders, a wrong first word, a missing or extra status word, no
    /// trailing ".", a status word that is not statusWordOf(rc).  Empty when it
    /// is fine.
    static std::vector<std::string> problems(const std::string& rc, const std::string& action,
                                             const std::string& text);

    /// The status word a reply with `rc` must carry: SUKSES for 00, SEDANG
    /// DIPROSES for 68, GAGAL for every other code.
    static const std::string& statusWordOf(const std::string& rc);

    /// The placeholders templates may use (all of them in every template).
    static const std::vector<std::string>& placeholders();

private:
    std::map<std::pair<std::string, std::string>, std::string> _texts;
};

} // namespace Loket
