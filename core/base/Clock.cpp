#include "Clock.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace Loket {
namespace Clock {

void useZone(const std::string& zone)
{
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
}

std::string zoneDirectory()
{
    const char* dir = std::getenv("TZDIR");
    return dir && *dir ? dir : "/usr/share/zoneinfo";
}

bool knownZone(const std::string& zone)
{
    // glibc reads TZ=":NAME" and TZ="NAME" alike: the file NAME under TZDIR.
    std::string name = !zone.empty() && zone[0] == ':' ? zone.substr(1) : zone;
    if (name.empty() || name.find("..") != std::string::npos) return false;
    std::string path = name[0] == '/' ? name : zoneDirectory() + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[4] = {};
    bool tzif = std::fread(magic, 1, 4, f) == 4 && std::memcmp(magic, "TZif", 4) == 0;
    std::fclose(f);
    return tzif;
}

Poco::Int64 now() { return static_cast<Poco::Int64>(::time(nullptr)); }

namespace {

/// `render` of the local time of `epochSeconds`, formatted once per second
/// per thread (`cache`): every reply and every log line carries the time, and
/// localtime_r takes glibc's time zone lock on each call.
struct SecondCache
{
    Poco::Int64 second = -1;
    std::string text;
};

template <typename Render>
const std::string& oncePerSecond(SecondCache& cache, Poco::Int64 epochSeconds, Render render)
{
    if (epochSeconds == cache.second) return cache.text;
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    cache.text = render(tm);
    cache.second = epochSeconds;
    return cache.text;
}

} // namespace

std::string format(Poco::Int64 epochSeconds)
{
    thread_local SecondCache cache;
    return oncePerSecond(cache, epochSeconds, [](const std::tm& tm) {
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        return std::string(buf);
    });
}

std::string formatLog(Poco::Int64 epochSeconds)
{
    // nginx writes English month names whatever the locale; so do we.
    static const char* const Months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    thread_local SecondCache cache;
    return oncePerSecond(cache, epochSeconds, [](const std::tm& tm) {
        long offset = tm.tm_gmtoff / 60;
        char buf[48];
        std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld", tm.tm_mday, Months[tm.tm_mon],
                      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
                      std::labs(offset) / 60, std::labs(offset) % 60);
        return std::string(buf);
    });
}

Poco::Int64 endOfDay(Poco::Int64 epochSeconds)
{
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    tm.tm_isdst = -1;
    return static_cast<Poco::Int64>(::mktime(&tm));
}

int year(Poco::Int64 epochSeconds)
{
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

bool parse(const std::string& text, Poco::Int64& epochSeconds)
{
    // The exact shape first ("30-11-2026" or "2026-1-5" are refused), then a
    // round trip through the calendar, which refuses 2026-02-30 and 25:00:00
    // (mktime would quietly roll them over into another day).
    static const std::string Date = "dddd-dd-dd", DateTime = "dddd-dd-dd dd:dd:dd";
    const std::string& shape = text.size() == Date.size() ? Date : DateTime;
    if (text.size() != shape.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i]) return false;
    std::tm tm{};
    int n = std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                        &tm.tm_min, &tm.tm_sec);
    if (n != 3 && n != 6) return false;
    std::tm wanted = tm;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    std::time_t t = ::mktime(&tm);
    std::tm back{};
    ::localtime_r(&t, &back);
    if (back.tm_year + 1900 != wanted.tm_year || back.tm_mon + 1 != wanted.tm_mon || back.tm_mday != wanted.tm_mday ||
        back.tm_hour != wanted.tm_hour || back.tm_min != wanted.tm_min || back.tm_sec != wanted.tm_sec)
        return false;
    epochSeconds = static_cast<Poco::Int64>(t);
    return true;
}

} // namespace Clock
} // namespace Loket
