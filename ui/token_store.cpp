#include "token_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <qt6keychain/keychain.h>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTimer>
#include <cstdio>

namespace egmf::ui {
namespace {

const QString kService = QStringLiteral("egmf-studio");

/// Runs a keychain job to its end (the Secret Service answers at once, or says there is none);
/// false on any error, a timeout included.
bool runJob(QKeychain::Job& job) {
    job.setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    job.start();
    if (!finished) loop.exec(QEventLoop::ExcludeUserInputEvents);
    return finished && job.error() == QKeychain::NoError;
}

}  // namespace

TokenStore::TokenStore(QString fallbackFile) : m_file(std::move(fallbackFile)) {}

QString TokenStore::defaultFile() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/egmf-studio/server-tokens.json");
}

Result<TokenStore::Place> TokenStore::save(const QString& server, const QString& token) {
    QKeychain::WritePasswordJob job(kService);
    job.setKey(server);
    job.setTextData(token);
    if (runJob(job)) {
        (void)writeFile(server, nullptr);  // an older copy in the file goes (best effort: the keyring has it)
        return Place::Keyring;
    }
    if (auto written = writeFile(server, &token); !written.ok()) return written.error();
    return Place::File;
}

Result<QString> TokenStore::load(const QString& server) {
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(server);
    if (runJob(job) && !job.textData().isEmpty()) return job.textData();
    QFile file(m_file);
    if (file.open(QIODevice::ReadOnly)) {
        const auto tokens = QJsonDocument::fromJson(file.readAll()).object();
        if (tokens.contains(server)) return tokens.value(server).toString();
    }
    return makeError(ErrorCode::NotFound, "no token kept for " + server.toStdString());
}

void TokenStore::forget(const QString& server) {
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(server);
    runJob(job);
    (void)writeFile(server, nullptr);  // best effort: forgetting what is not there is no error
}

Result<void> TokenStore::writeFile(const QString& server, const QString* token) {
    QJsonObject tokens;
    if (QFile existing(m_file); existing.open(QIODevice::ReadOnly)) tokens = QJsonDocument::fromJson(existing.readAll()).object();
    if (!token && !tokens.contains(server)) return {};
    if (token) {
        tokens.insert(server, *token);
    } else {
        tokens.remove(server);
    }
    QDir().mkpath(QFileInfo(m_file).absolutePath());
    // Made 0600 from the start (a QSaveFile would be readable by others until its permissions change).
    const auto bytes = QJsonDocument(tokens).toJson();
    const auto temporary = (m_file + QStringLiteral(".new")).toStdString();
    ::unlink(temporary.c_str());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return makeError(ErrorCode::Io, m_file.toStdString() + ": cannot be written; check the folder's permissions");
    const bool written = ::write(fd, bytes.constData(), static_cast<std::size_t>(bytes.size())) == bytes.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || std::rename(temporary.c_str(), m_file.toStdString().c_str()) != 0) {
        ::unlink(temporary.c_str());
        return makeError(ErrorCode::Io, m_file.toStdString() + ": writing failed (disk full?)");
    }
    return {};
}

}  // namespace egmf::ui
