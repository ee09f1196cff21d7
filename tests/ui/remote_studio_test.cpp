// The Studio with its model on a server: a real `egmf serve` engine (EngineServer with TLS, the
// bundled checkpoint, the fixture's clips under its data root) on localhost. The window analyses
// the dialogue there as it does here, says where the model runs, disables what cannot work
// remotely with the reason, and runs on this machine again. Tokens are kept in the keyring where
// one runs, else in a 0600 file, never in the settings.
#include <sys/stat.h>

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <fstream>

#include "egmf/local_engine.h"
#include "egmf/remote/engine_server.h"
#include "studio_fixture.h"
#include "ui/connect_dialog.h"
#include "ui/plugin_panel.h"
#include "ui/token_store.h"

namespace egmf {
namespace {

using test::Studio;
using test::waitUntil;

QString statusText(const studio::MainWindow& window) {
    QString text;
    for (const auto* label : window.statusBar()->findChildren<QLabel*>()) text += label->text() + QStringLiteral(" | ");
    return text;
}

/// A server on a free loopback port whose engine runs no model, its files in `state`.
Result<std::unique_ptr<remote::EngineServer>> serverWithoutModel(const std::filesystem::path& state) {
    remote::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.stateDir = state;
    options.log = [](const std::string&) {};
    return remote::EngineServer::start(options, [](std::shared_ptr<EngineObserver> observer) -> Result<std::unique_ptr<Engine>> {
        return std::unique_ptr<Engine>(std::make_unique<LocalEngine>(std::move(observer)));
    });
}

TEST_F(Studio, remoteEngine_analysesLikeTheLocalOne_saysWhereItRuns_andDisablesWhatCannotWork) {
    auto window = openWindow();  // analysed on this machine first: the yardstick
    const auto local = *window->session()->analysis()->dialogueResult(0);

    test::TempDir state;
    remote::ClientRegistry clients(state.path() / "clients.json");
    const auto token = clients.add("studio");
    ASSERT_TRUE(token.ok());
    remote::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.stateDir = state.path();
    options.dataRoots = {std::filesystem::path(dataset().toStdString())};
    options.log = [](const std::string&) {};
    auto server = remote::EngineServer::start(options, [](std::shared_ptr<EngineObserver> observer) -> Result<std::unique_ptr<Engine>> {
        auto engine = std::make_unique<LocalEngine>(std::move(observer));
        engine->setFeatureSource(makeClipFeatureSource());
        engine->setThreads(2);
        if (auto loaded = engine->loadAndWait(checkpoint().toStdString(), {"cpu", "float32"}); !loaded) return loaded.error();
        return std::unique_ptr<Engine>(std::move(engine));
    });
    ASSERT_TRUE(server.ok()) << server.error().message;
    remote::RemoteOptions remote;
    remote.address = "127.0.0.1:" + std::to_string((*server)->port());
    remote.token = *token;
    std::ifstream cert(state.path() / "server.crt");
    remote.certificatePem.assign(std::istreambuf_iterator<char>(cert), {});

    window->connectToServer(remote, false);
    auto* model = window->session()->model();
    ASSERT_TRUE(waitUntil([&] { return !model->server().isEmpty() && model->model(); }, 30000)) << statusText(*window).toStdString();
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == ui::AnalysisScheduler::State::Done; }, 120000));
    const auto* remoteResult = window->session()->analysis()->dialogueResult(0);
    ASSERT_NE(remoteResult, nullptr) << window->session()->analysis()->dialogueError(0).toStdString();
    ASSERT_EQ(remoteResult->utterances.size(), local.utterances.size());
    for (std::size_t u = 0; u < local.utterances.size(); ++u) {
        const auto &a = local.utterances[u], &b = remoteResult->utterances[u];
        EXPECT_EQ(a.error, b.error);
        EXPECT_EQ(a.prediction, b.prediction) << "utterance " << u;
        ASSERT_EQ(a.probabilities.size(), b.probabilities.size());
        // The same clips and checkpoint; intra-op threads may differ, so the last bits may too.
        for (std::size_t k = 0; k < a.probabilities.size(); ++k) EXPECT_NEAR(a.probabilities[k], b.probabilities[k], 1e-5);
    }
    // Where the model runs, with the round trip; what cannot work remotely is disabled, with why.
    ASSERT_TRUE(
        waitUntil([&] { return statusText(*window).contains(QStringLiteral("remote: ") + QString::fromStdString(remote.address)); }, 5000))
        << statusText(*window).toStdString();
    EXPECT_TRUE(statusText(*window).contains(QStringLiteral(" ms"))) << statusText(*window).toStdString();
    for (auto* action : window->panels().devices->actions()) {
        EXPECT_FALSE(action->isEnabled()) << action->text().toStdString();
        EXPECT_TRUE(action->toolTip().contains(QStringLiteral("egmf serve --device")));
    }
    EXPECT_FALSE(window->panels().plugins->isEnabled());
    const auto shot = test::binaryDir() / "remote-studio.png";  // kept, to be looked at
    window->grab().toImage().save(QString::fromStdString(shot.string()));

    // Back on this machine: the engine is local again and needs a checkpoint.
    model->runHere();
    EXPECT_TRUE(model->server().isEmpty());
    EXPECT_EQ(model->model(), nullptr);
    EXPECT_TRUE(window->panels().plugins->isEnabled());
    EXPECT_EQ(test::loadAndWait(*model, checkpoint(), QStringLiteral("cpu")), QString());
    EXPECT_FALSE(statusText(*window).contains(QStringLiteral("remote:")));
}

TEST_F(Studio, remoteEngine_aServerThatRefuses_isReported_andTheLocalEngineStays) {
    auto window = openWindow();
    test::TempDir state;
    auto server = serverWithoutModel(state.path());
    ASSERT_TRUE(server.ok());
    remote::RemoteOptions remote;
    remote.address = "127.0.0.1:" + std::to_string((*server)->port());
    remote.token = "egmf_not-a-client";
    std::ifstream cert(state.path() / "server.crt");
    remote.certificatePem.assign(std::istreambuf_iterator<char>(cert), {});
    QString failure;
    QObject::connect(window->session()->model(), &ui::ModelSlot::connectFailed, [&](const QString& message) { failure = message; });
    window->connectToServer(remote, false);
    ASSERT_TRUE(waitUntil([&] { return !failure.isEmpty(); }, 30000));
    EXPECT_TRUE(failure.contains(QStringLiteral("unknown or revoked token"))) << failure.toStdString();
    EXPECT_TRUE(window->session()->model()->server().isEmpty());
    EXPECT_NE(window->session()->model()->model(), nullptr) << "the local model stays";
}

TEST_F(Studio, connectDialog_fetchesTheServersCertificate_andConnectsOnlyOnceItIsTrusted) {
    test::TempDir state;
    auto server = serverWithoutModel(state.path());
    ASSERT_TRUE(server.ok());
    ui::ConnectDialog dialog({}, {}, QStringLiteral("Kept in the system keyring, or a 0600 file"));
    dialog.show();
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* token = dialog.findChild<QLineEdit*>(QStringLiteral("token"));
    auto* trust = dialog.findChild<QCheckBox*>(QStringLiteral("trust"));
    auto* buttons = dialog.findChild<QDialogButtonBox*>();
    ASSERT_TRUE(address && token && trust && buttons);
    QPushButton* fetch = nullptr;
    for (auto* button : dialog.findChildren<QPushButton*>())
        if (button->text().contains(QStringLiteral("Fetch"))) fetch = button;
    ASSERT_NE(fetch, nullptr);
    address->setText(QStringLiteral("127.0.0.1:%1").arg((*server)->port()));
    token->setText(QStringLiteral("egmf_token"));
    fetch->click();
    const auto fingerprint = QString::fromStdString((*server)->fingerprint());
    const auto shown = [&] {
        for (const auto* label : dialog.findChildren<QLabel*>())
            if (label->text().contains(fingerprint)) return true;
        return false;
    };
    ASSERT_TRUE(waitUntil(shown, 15000)) << "the fingerprint the server printed is shown to compare";
    EXPECT_FALSE(buttons->button(QDialogButtonBox::Ok)->isEnabled()) << "not trusted until the user confirms";
    trust->setChecked(true);
    EXPECT_TRUE(buttons->button(QDialogButtonBox::Ok)->isEnabled());
    const auto pinned = dialog.options();
    EXPECT_EQ(pinned.address, "127.0.0.1:" + std::to_string((*server)->port()));
    EXPECT_EQ(*remote::certificateFingerprint(pinned.certificatePem), (*server)->fingerprint());
    dialog.grab().toImage().save(QString::fromStdString((test::binaryDir() / "connect-dialog.png").string()));
    // A port where nothing answers: said so, and still not trusted.
    address->setText(QStringLiteral("127.0.0.1:1"));
    fetch->click();
    ASSERT_TRUE(waitUntil([&] { return fetch->isEnabled(); }, 15000));
    EXPECT_TRUE(trust->isChecked()) << "the certificate fetched before stays until another one comes";
}

TEST(TokenStore, keepsTokensInTheKeyringOrA0600File_neverInTheSettings) {
    test::TempDir dir;
    const auto file = QString::fromStdString((dir.path() / "tokens.json").string());
    ui::TokenStore store(file);
    const QString server = QStringLiteral("gpu-box:50051"), token = QStringLiteral("egmf_secret-token-123");
    auto place = store.save(server, token);
    ASSERT_TRUE(place.ok()) << place.error().message;
    // tests/ui/with_keyring.sh runs this under a D-Bus session with gnome-keyring unlocked.
    if (qEnvironmentVariableIntValue("EGMF_EXPECT_KEYRING") == 1) {
        EXPECT_EQ(*place, ui::TokenStore::Place::Keyring) << "a Secret Service runs: the keyring is used";
    } else if (qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").contains(QStringLiteral("nonexistent"))) {
        EXPECT_EQ(*place, ui::TokenStore::Place::File) << "no Secret Service runs here";
    }
    if (*place == ui::TokenStore::Place::File) {
        struct stat info {};
        ASSERT_EQ(::stat(file.toStdString().c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600u) << "only the user reads the fallback file";
    } else {
        QFile copy(file);
        EXPECT_FALSE(copy.open(QIODevice::ReadOnly) && copy.readAll().contains(token.toUtf8()));
    }
    auto loaded = store.load(server);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(*loaded, token);
    QSettings settings;
    settings.sync();
    QFile settingsFile(settings.fileName());
    EXPECT_FALSE(settingsFile.open(QIODevice::ReadOnly) && settingsFile.readAll().contains(token.toUtf8()));
    store.forget(server);
    EXPECT_FALSE(store.load(server).ok());
    EXPECT_FALSE(store.load(QStringLiteral("never:1")).ok());
}

}  // namespace
}  // namespace egmf
