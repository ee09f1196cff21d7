// The Studio with its model on a server (`egmf serve`): Engine > Connect to a server, Run on this
// machine, Load a checkpoint on the server; the remembered server (its address and certificate in
// the settings, its token in the keyring or a 0600 file, never the settings), reconnected at start;
// and what the status bar says about where the model runs.
//
// What works remotely: analysis, ablation re-runs, Compare (its second checkpoint runs on this
// machine), loading a checkpoint by its path on the server. What does not, disabled with the
// reason: the Engine menu's device choice (the server's operator chooses: egmf serve --device),
// File > Open checkpoint's file chooser and Recent checkpoints (they name files on this machine),
// and the plugin panel's loads (this machine's plugins).
#include <QAction>
#include <QActionGroup>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "egmf/build_info.h"
#include "egmf/remote/remote_engine.h"
#include "main_window.h"
#include "ui/connect_dialog.h"
#include "ui/plugin_panel.h"
#include "ui/token_store.h"

namespace egmf::studio {

using namespace egmf::ui;

namespace {

const QString kAddress = QStringLiteral("server/address");
const QString kCertificate = QStringLiteral("server/certificate");

}  // namespace

void MainWindow::buildServerActions(QMenu* engine) {
    engine->addSeparator();
    m_connectAction = engine->addAction(tr("Connect to a &server..."), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S), this,
                                        &MainWindow::showConnectDialog);
    m_connectAction->setToolTip(tr("Run the model on an engine server (egmf serve), e.g. a GPU machine elsewhere"));
    m_hereAction = engine->addAction(tr("Run on &this machine"), this, [this] {
        QSettings().remove(kAddress);  // not reconnected at the next start either
        m_session->model()->runHere();
    });
    m_serverCheckpointAction = engine->addAction(tr("&Load a checkpoint on the server..."), this, [this] {
        bool ok = false;
        const auto path = QInputDialog::getText(
            this, tr("Load a checkpoint on the server"),
            tr("The checkpoint's path on %1 (under one of its --data-root folders):").arg(m_session->model()->server()), QLineEdit::Normal,
            m_session->model()->checkpointPath(), &ok);
        if (ok && !path.trimmed().isEmpty()) m_session->model()->load(path.trimmed());
    });
    m_statusRefresh = new QTimer(this);
    m_statusRefresh->setInterval(2000);  // the round trip, as the engine measures it
    connect(m_statusRefresh, &QTimer::timeout, this, &MainWindow::updateStatus);
    connect(m_session->model(), &ModelSlot::engineChanged, this, &MainWindow::syncServerActions);
    connect(m_session->model(), &ModelSlot::connectFailed, this, [this](const QString& message) {
        report(tr("Could not connect: %1").arg(message));
        syncServerActions();
    });
    syncServerActions();
}

void MainWindow::showConnectDialog() {
    QSettings settings;
    const TokenStore tokens;
    ConnectDialog dialog(settings.value(kAddress).toString(), settings.value(kCertificate).toString(),
                         tr("A remembered token is kept in the system keyring; where none runs, in %1, which only you can read. "
                            "Never in the settings.")
                             .arg(tokens.fallbackFile()),
                         this);
    if (dialog.exec() != QDialog::Accepted) return;
    connectToServer(dialog.options(), dialog.remember());
}

void MainWindow::connectToServer(const remote::RemoteOptions& server, bool remember) {
    const auto address = QString::fromStdString(server.address);
    if (remember) {
        QSettings settings;
        settings.setValue(kAddress, address);
        settings.setValue(kCertificate, QString::fromStdString(server.certificatePem));
        auto kept = TokenStore().save(address, QString::fromStdString(server.token));
        if (!kept.ok()) {
            report(
                tr("The token could not be kept (%1); it is used for this session only").arg(QString::fromStdString(kept.error().message)));
        } else if (*kept == TokenStore::Place::File) {
            statusBar()->showMessage(
                tr("No keyring runs here: the token is kept in %1 (only you can read it)").arg(TokenStore().fallbackFile()), 10000);
        }
    }
    statusBar()->showMessage(tr("Connecting to %1...").arg(address), 10000);
    m_session->model()->runOn(server);
}

bool MainWindow::reconnectRememberedServer() {
    QSettings settings;
    const auto address = settings.value(kAddress).toString();
    if (address.isEmpty()) return false;
    auto token = TokenStore().load(address);
    if (!token.ok()) {
        statusBar()->showMessage(tr("%1 is remembered but its token is not: Engine > Connect to a server").arg(address), 10000);
        return false;
    }
    remote::RemoteOptions server;
    server.address = address.toStdString();
    server.token = token->toStdString();
    server.certificatePem = settings.value(kCertificate).toString().toStdString();
    connectToServer(server, false);
    return true;
}

void MainWindow::syncServerActions() {
    const bool remote = !m_session->model()->server().isEmpty();
    m_hereAction->setEnabled(remote);
    m_serverCheckpointAction->setEnabled(remote);
    if (remote) {
        m_statusRefresh->start();
    } else {
        m_statusRefresh->stop();
    }
    const auto why = tr("The model runs on %1: this chooses files and devices on this machine").arg(m_session->model()->server());
    for (auto* action : m_deviceGroup->actions()) {
        const bool gpu = action->data().toStringList().value(0) == QStringLiteral("cuda");
        action->setEnabled(!remote && (!gpu || cudaAvailable()));
        if (remote) action->setToolTip(tr("The server's operator chooses its device (egmf serve --device)"));
    }
    m_openCheckpointAction->setEnabled(!remote);
    m_openCheckpointAction->setToolTip(remote ? why + tr("; use Engine > Load a checkpoint on the server") : QString());
    m_pluginPanel->setEnabled(!remote);
    m_pluginPanel->setToolTip(remote ? why : QString());
    updateStatus();
}

QString MainWindow::whereTheModelRuns() const {
    const auto* model = m_session->model()->model();
    QString runs = model ? QString::fromStdString(model->device).toUpper() : QString();
    if (model && !model->dtype.empty()) runs += QStringLiteral(" ") + QString::fromStdString(model->dtype);
    const auto& server = m_session->model()->server();
    if (server.isEmpty()) return runs;
    QString where = tr("remote: %1").arg(server) + (runs.isEmpty() ? QString() : QStringLiteral(" \u2014 ") + runs);
    if (const auto* engine = dynamic_cast<const remote::RemoteEngine*>(&m_session->model()->engine())) {
        const auto roundTrip = engine->roundTripMs();
        where += roundTrip ? tr(", %1 ms").arg(*roundTrip, 0, 'f', 1) : tr(", not answering (reconnecting)");
    }
    return where;
}

}  // namespace egmf::studio
