#include "SecretBox.h"
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace Loket {
namespace {

const std::size_t KeyBytes = 32;
const std::size_t NonceBytes = 12;
const std::size_t TagBytes = 16;
const std::string Version = "v1:";

std::string toHex(const unsigned char* data, std::size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
    {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xF];
    }
    return out;
}

bool fromHex(const std::string& hex, std::string& out)
{
    if (hex.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2)
    {
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
    }
    return true;
}

std::string base64(const std::string& bytes)
{
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << bytes;
    enc.close();
    return out.str();
}

std::string unbase64(const std::string& text)
{
    std::istringstream in(text);
    Poco::Base64Decoder dec(in);
    std::string out((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    return out;
}

/// Creates the key file with a fresh random key, unless it exists already
/// (O_EXCL: two processes starting at once end up with the same key).
void createKeyFile(const std::string& path)
{
    unsigned char key[KeyBytes];
    if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("no random bytes for a new key");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        if (errno == EEXIST) return;
        throw std::runtime_error("cannot create the key file " + path + ": " + std::strerror(errno));
    }
    std::string text = toHex(key, sizeof key) + "\n";
    ::OPENSSL_cleanse(key, sizeof key);
    bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    written = ::fsync(fd) == 0 && written;
    ::close(fd);
    if (!written)
    {
        ::unlink(path.c_str());
        throw std::runtime_error("cannot write the key file " + path);
    }
}

std::string loadKey(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
    {
        if (errno != ENOENT) throw std::runtime_error("cannot read the key file " + path + ": " + std::strerror(errno));
        createKeyFile(path);
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read the key file " + path + ": " + std::strerror(errno));
    if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0)
    {
        ::close(fd);
        throw std::runtime_error("the key file " + path + " is readable by other users; chmod 600 it");
    }
    char buffer[256];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    std::string text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
    ::OPENSSL_cleanse(buffer, sizeof buffer);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    std::string key;
    if (!fromHex(text, key) || key.size() != KeyBytes)
        throw std::runtime_error("the key file " + path + " must hold 64 hex digits (a 256-bit key)");
    return key;
}

struct CipherContext
{
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

/// AES-256-GCM: v1:base64(nonce || ciphertext || tag), the context as AAD.
class AesGcmBox : public SecretBox
{
public:
    explicit AesGcmBox(std::string key) : _key(std::move(key)) {}
    ~AesGcmBox() override { ::OPENSSL_cleanse(&_key[0], _key.size()); }

    std::string seal(const std::string& plain, const std::string& context) const override
    {
        if (plain.empty()) return "";
        unsigned char nonce[NonceBytes];
        if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("no random bytes for a nonce");
        CipherContext c;
        std::string out(reinterpret_cast<char*>(nonce), sizeof nonce);
        std::string cipher(plain.size() + 16, '\0');
        unsigned char tag[TagBytes];
        int len = 0, total = 0;
        bool good = c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key(), nonce) == 1 &&
                    EVP_EncryptUpdate(c.ctx, nullptr, &len, bytes(context), static_cast<int>(context.size())) == 1 &&
                    EVP_EncryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(&cipher[0]), &len, bytes(plain),
                                      static_cast<int>(plain.size())) == 1;
        total = len;
        good = good && EVP_EncryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(&cipher[0]) + total, &len) == 1;
        total += len;
        good = good && EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, TagBytes, tag) == 1;
        if (!good) throw std::runtime_error("cannot seal a secret");
        out.append(cipher, 0, static_cast<std::size_t>(total));
        out.append(reinterpret_cast<char*>(tag), TagBytes);
        return Version + base64(out);
    }

    std::string open(const std::string& sealed, const std::string& context) const override
    {
        if (sealed.empty()) return "";
        if (sealed.compare(0, Version.size(), Version) != 0) throw std::runtime_error("not a sealed secret");
        std::string raw;
        try
        {
            raw = unbase64(sealed.substr(Version.size()));
        }
        catch (const std::exception&)
        {
            throw std::runtime_error("a sealed secret is damaged");
        }
        if (raw.size() < NonceBytes + TagBytes) throw std::runtime_error("a sealed secret is damaged");
        std::size_t n = raw.size() - NonceBytes - TagBytes;
        std::string plain(n + 16, '\0');
        std::string tag = raw.substr(NonceBytes + n);
        CipherContext c;
        int len = 0, total = 0;
        bool good = c.ctx &&
                    EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key(), bytes(raw)) == 1 &&
                    EVP_DecryptUpdate(c.ctx, nullptr, &len, bytes(context), static_cast<int>(context.size())) == 1 &&
                    EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(&plain[0]), &len,
                                      bytes(raw) + NonceBytes, static_cast<int>(n)) == 1;
        total = len;
        good = good && EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, TagBytes, &tag[0]) == 1 &&
               EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(&plain[0]) + total, &len) == 1;
        if (!good) throw std::runtime_error("a sealed secret does not open with this key (auth.key_file)");
        total += len;
        plain.resize(static_cast<std::size_t>(total));
        return plain;
    }

private:
    const unsigned char* key() const { return reinterpret_cast<const unsigned char*>(_key.data()); }
    static const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

    std::string _key;
};

} // namespace

std::unique_ptr<SecretBox> SecretBox::fromConfig(const Config& config)
{
    return std::make_unique<AesGcmBox>(loadKey(config.keyFile));
}

} // namespace Loket
