#include "SecretBox.h"
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace Loket {
namespace {

const std::string Version = "g1:";
const int NonceSize = 12;
const int TagSize = 16;

std::string toHex(const unsigned char* p, std::size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i)
    {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

/// Lower-case hex, as toHex writes it; `hex` points at `size` digits.  (Both
/// sealed secrets are decoded on every request: issue 12.)
bool fromHex(const char* hex, std::size_t size, std::string& out)
{
    if (size % 2) return false;
    auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    out.resize(size / 2);
    for (std::size_t i = 0; i < size / 2; ++i)
    {
        int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
        if ((hi | lo) < 0) return false;
        out[i] = static_cast<char>(hi * 16 + lo);
    }
    return true;
}

bool fromHex(const std::string& hex, std::string& out) { return fromHex(hex.data(), hex.size(), out); }

struct CipherContext
{
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

} // namespace

SecretBox SecretBox::fromKeyFile(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read auth.key_file " + path + ": " + std::strerror(errno) +
                                         " (loketctl init creates it)");
    struct stat st;
    char buf[130];
    ssize_t n = ::fstat(fd, &st) == 0 ? ::read(fd, buf, sizeof buf) : -1;
    ::close(fd);
    if (n < 0) throw std::runtime_error("cannot read auth.key_file " + path);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error("auth.key_file " + path + " is open to other users; chmod 600 it");
    std::string text(buf, static_cast<std::size_t>(n)), key;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.size() != 64 || !fromHex(text, key)) throw std::runtime_error("auth.key_file " + path + " is not a key");
    SecretBox box;
    std::memcpy(box._key, key.data(), sizeof box._key);
    return box;
}

bool SecretBox::createKeyFile(const std::string& path)
{
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("no random bytes for a key");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) return false;
    if (fd < 0) throw std::runtime_error("cannot create auth.key_file " + path + ": " + std::strerror(errno));
    std::string text = toHex(key, sizeof key) + "\n";
    bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
    {
        ::unlink(path.c_str());
        throw std::runtime_error("cannot write auth.key_file " + path);
    }
    return true;
}

const SecretBox& SecretBox::cached(const std::string& path)
{
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<SecretBox>> boxes;
    std::lock_guard<std::mutex> lock(mutex);
    auto& box = boxes[path];
    // A failure is not remembered: the next request tries the file again.
    if (!box) box = std::make_unique<SecretBox>(fromKeyFile(path));
    return *box;
}

std::string SecretBox::seal(const std::string& plain, const std::string& context) const
{
    unsigned char nonce[NonceSize];
    if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("no random bytes for a nonce");
    std::string out(reinterpret_cast<char*>(nonce), sizeof nonce);
    out.resize(NonceSize + plain.size() + TagSize);
    unsigned char* ct = reinterpret_cast<unsigned char*>(&out[NonceSize]);
    CipherContext c;
    int len = 0, tail = 0;
    bool ok = c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, _key, nonce) == 1 &&
              EVP_EncryptUpdate(c.ctx, nullptr, &len, bytes(context), static_cast<int>(context.size())) == 1 &&
              EVP_EncryptUpdate(c.ctx, ct, &len, bytes(plain), static_cast<int>(plain.size())) == 1 &&
              EVP_EncryptFinal_ex(c.ctx, ct + len, &tail) == 1 &&
              EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, TagSize, ct + plain.size()) == 1;
    if (!ok) throw std::runtime_error("cannot seal a secret");
    return Version + toHex(bytes(out), out.size());
}

bool SecretBox::open(const std::string& sealed, const std::string& context, std::string& plain) const
{
    std::string raw;
    if (sealed.compare(0, Version.size(), Version) != 0 || !fromHex(sealed.data() + Version.size(), sealed.size() - Version.size(), raw) ||
        raw.size() < static_cast<std::size_t>(NonceSize + TagSize))
        return false;
    std::size_t size = raw.size() - NonceSize - TagSize;
    std::string out(size, '\0');
    std::string tag = raw.substr(NonceSize + size);
    unsigned char* pt = reinterpret_cast<unsigned char*>(&out[0]);
    // Every request opens two secrets: each thread keeps a context with this
    // key's schedule, and only the nonce changes per call (issue 12).
    thread_local CipherContext c;
    thread_local const SecretBox* keyed = nullptr;
    thread_local unsigned char keyedWith[sizeof _key];
    if (!c.ctx) return false;
    if (keyed != this || std::memcmp(keyedWith, _key, sizeof _key) != 0)
    {
        keyed = nullptr;
        if (EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, _key, nullptr) != 1) return false;
        std::memcpy(keyedWith, _key, sizeof _key);
        keyed = this;
    }
    int len = 0, tail = 0;
    bool ok = EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, nullptr, bytes(raw)) == 1 &&
              EVP_DecryptUpdate(c.ctx, nullptr, &len, bytes(context), static_cast<int>(context.size())) == 1 &&
              EVP_DecryptUpdate(c.ctx, pt, &len, bytes(raw) + NonceSize, static_cast<int>(size)) == 1 &&
              EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, TagSize, const_cast<char*>(tag.data())) == 1 &&
              EVP_DecryptFinal_ex(c.ctx, pt + len, &tail) == 1;
    if (!ok) return false;
    plain.swap(out);
    return true;
}

std::string SecretBox::open(const std::string& sealed, const std::string& context) const
{
    if (sealed.empty()) return "";
    std::string plain;
    if (!open(sealed, context, plain))
        throw std::runtime_error("a stored secret (" + context + ") does not open with auth.key_file");
    return plain;
}

std::unique_ptr<SecretBox> SecretBox::fromConfig(const Config& config)
{
    createKeyFile(config.authKeyFile);   // no change when it exists
    // The key is read once per process (cached); its mode is checked every time.
    struct stat st;
    if (::stat(config.authKeyFile.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        throw std::runtime_error(config.authKeyFile + " is readable by other users: chmod 600 it");
    return std::unique_ptr<SecretBox>(new SecretBox(cached(config.authKeyFile)));
}

} // namespace Loket
