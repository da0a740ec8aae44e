#include "Templates.h"
#include "Clock.h"

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

const std::string Pair = "[kodeproduk].[tujuan]";

std::size_t countOf(const std::string& text, const std::string& word)
{
    std::size_t n = 0;
    for (std::size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + word.size()))
        ++n;
    return n;
}

} // namespace

const std::string& Templates::statusWordOf(const std::string& rc)
{
    static const std::string success = "SUKSES", pending = "SEDANG DIPROSES", failed = "GAGAL";
    return rc == RC::Success ? success : rc == RC::Pending ? pending : failed;
}

const std::vector<std::string>& Templates::placeholders()
{
    static const std::vector<std::string> names = {"kodeproduk", "tujuan", "refid", "harga", "sn",
                                                   "saldo", "waktu", "keterangan", "trxid", "qty",
                                                   "nama", "tagihan", "admin", "periode"};
    return names;
}

void Templates::load(Database& db, bool strict)
{
    std::map<std::pair<std::string, std::string>, std::string> texts;
    std::string rc, action, text;
    Poco::Data::Statement st(db.session());
    st << "SELECT rc, action, text FROM response_codes", into(rc), into(action), into(text), range(0, 1);
    while (fetchNext(st))
    {
        auto bad = problems(rc, action, text);
        if (bad.empty())
            texts[{rc, action}] = text;
        else if (strict)
            throw std::runtime_error("template rc " + rc + " " + action + ": " + bad[0]);
    }
    if (texts.empty()) throw std::runtime_error("response_codes is empty");
    _texts.swap(texts);
}

std::string Templates::render(const std::string& rc, Action action, const Fields& fields) const
{
    const std::string& word = actionWord(action);
    std::string text;
    auto it = _texts.find({rc, word});
    if (it != _texts.end())
        text = it->second;
    // The journal endpoint answers like the balance one: no product, dest or refID.
    else if ((action == Action::Mutations || action == Action::PriceList) && (it = _texts.find({rc, "SALDO"})) != _texts.end())
        text = word + it->second.substr(5);
    else if ((it = _texts.find({rc, "TRX"})) != _texts.end())
        text = word + it->second.substr(3);
    else if ((it = _texts.find({RC::SystemBusy, word})) != _texts.end())
        text = it->second;
    else
        // No templates could be read at all: the shipped RC 99 shapes.
        text = action == Action::Balance || action == Action::Mutations || action == Action::PriceList ? word + " GAGAL, SISTEM SIBUK, SILAKAN ULANGI."
                                         : word + " [kodeproduk].[tujuan] GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:[refid].";

    return renderText(text, fields);
}

std::string Templates::renderText(std::string text, const Fields& fields)
{
    auto value = [&fields](const std::string& name) {
        auto f = fields.find(name);
        if (f != fields.end()) return f->second;
        // [waktu] is the time of the reply unless the caller has a better one.
        return name == "waktu" ? Clock::format(Clock::now()) : std::string();
    };
    if (value("kodeproduk").empty() || value("tujuan").empty())
    {
        std::size_t pos = text.find(Pair);
        if (pos != std::string::npos)
            text.erase(pos, Pair.size() + (pos + Pair.size() < text.size() && text[pos + Pair.size()] == ' '));
    }

    std::string out;
    out.reserve(text.size() + 64);
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        std::size_t close;
        if (text[i] == '[' && (close = text.find(']', i)) != std::string::npos)
        {
            std::string name = text.substr(i + 1, close - i - 1);
            bool known = false;
            for (const auto& p : placeholders()) known = known || p == name;
            if (known)
            {
                out += value(name);
                i = close;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::vector<std::string> Templates::problems(const std::string& rc, const std::string& action,
                                             const std::string& text)
{
    std::vector<std::string> found;
    static const std::vector<std::string> actions = {"TRX", "CEK", "BAYAR", "STATUS", "SALDO", "MUTASI", "HARGA"};
    bool knownAction = false;
    for (const auto& a : actions) knownAction = knownAction || a == action;
    if (!knownAction) found.push_back("unknown action " + action);
    if (rc.size() != 2 || rc.find_first_not_of("0123456789") != std::string::npos)
        found.push_back("response code must be two digits");
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
        {
            found.push_back("control or non-ASCII character");
            break;
        }
    for (std::size_t pos = text.find('['); pos != std::string::npos; pos = text.find('[', pos + 1))
    {
        std::size_t close = text.find(']', pos);
        if (close == std::string::npos)
        {
            found.push_back("unclosed [");
            break;
        }
        std::string name = text.substr(pos + 1, close - pos - 1);
        bool known = false;
        for (const auto& p : placeholders()) known = known || p == name;
        if (!known) found.push_back("unknown placeholder [" + name + "]");
    }
    // The balance line has its own legacy shape: saldo=<n>  @ <time>.
    if (action == "SALDO" && rc == RC::Success)
    {
        if (text.find("[saldo]") == std::string::npos) found.push_back("balance reply lacks [saldo]");
        return found;
    }
    if (text.compare(0, action.size() + 1, action + " ") != 0)
        found.push_back("must start with \"" + action + " \"");
    std::size_t words = countOf(text, "SUKSES") + countOf(text, "GAGAL") + countOf(text, "SEDANG DIPROSES");
    if (words != 1) found.push_back("must carry exactly one status word (SUKSES, GAGAL, SEDANG DIPROSES)");
    // Partners' software reads the word, not the code: a success that reads
    // GAGAL makes it buy again.
    const std::string& word = statusWordOf(rc);
    if (words == 1 && countOf(text, word) != 1) found.push_back("rc " + rc + " must read " + word);
    if (text.empty() || text.back() != '.') found.push_back("must end with \".\"");
    return found;
}

} // namespace Loket
