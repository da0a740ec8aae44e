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

std::string format(Poco::Int64 epochSeconds)
{
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
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
    std::tm tm{};
    int n = 0;
    if (text.size() == 10)
        n = std::sscanf(text.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    else if (text.size() == 19)
        n = std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                        &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    if (n != 3 && n != 6) return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    epochSeconds = static_cast<Poco::Int64>(::mktime(&tm));
    return true;
}

} // namespace Clock
} // namespace Loket
