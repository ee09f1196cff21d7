#include "token_store.h"

#include <qt6keychain/keychain.h>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTimer>

#include "egmf/app/private_file.h"

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
    return writeFileAtomically(m_file.toStdString(), QJsonDocument(tokens).toJson().toStdString(), 0600);
}

}  // namespace egmf::ui
