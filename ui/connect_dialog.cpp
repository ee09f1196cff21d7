#include "connect_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "egmf/remote/server_identity.h"

namespace egmf::ui {

ConnectDialog::ConnectDialog(const QString& address, const QString& certificatePem, const QString& keptIn, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Connect to an engine server"));
    setObjectName(QStringLiteral("connectDialog"));
    m_address = new QLineEdit(address);
    m_address->setPlaceholderText(tr("gpu-box.lab:50051"));
    m_address->setObjectName(QStringLiteral("address"));
    m_token = new QLineEdit;
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("egmf_... (the server's operator runs: egmf serve --add-client NAME)"));
    m_token->setObjectName(QStringLiteral("token"));
    m_fetch = new QPushButton(tr("&Fetch from the server"));
    auto* fromFile = new QPushButton(tr("From a &file..."));
    m_fingerprint = new QLabel(tr("No certificate yet"));
    m_fingerprint->setWordWrap(true);
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_trust = new QCheckBox(tr("This is the fingerprint `egmf serve` printed on the server: &trust this certificate"));
    m_trust->setObjectName(QStringLiteral("trust"));
    m_remember = new QCheckBox(tr("&Remember this server and its token"));
    m_remember->setChecked(true);
    m_keptIn = new QLabel(keptIn);
    m_keptIn->setWordWrap(true);
    auto* certificateRow = new QHBoxLayout;
    certificateRow->addWidget(m_fetch);
    certificateRow->addWidget(fromFile);
    certificateRow->addStretch();
    auto* form = new QFormLayout;
    form->addRow(tr("&Address:"), m_address);
    form->addRow(tr("T&oken:"), m_token);
    form->addRow(tr("Certificate:"), certificateRow);
    form->addRow(tr("SHA-256:"), m_fingerprint);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("&Connect"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_trust);
    layout->addWidget(m_remember);
    layout->addWidget(m_keptIn);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_fetch, &QPushButton::clicked, this, &ConnectDialog::fetchCertificate);
    connect(fromFile, &QPushButton::clicked, this, &ConnectDialog::readCertificateFile);
    for (auto* edit : {m_address, m_token}) connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::updateOk);
    connect(m_trust, &QCheckBox::toggled, this, &ConnectDialog::updateOk);
    if (!certificatePem.isEmpty()) {
        setCertificate(certificatePem, tr("remembered: trusted when it was first confirmed"));
        m_trust->setChecked(!m_certificate.isEmpty());
    }
    updateOk();
}

ConnectDialog::~ConnectDialog() {
    if (m_fetching.joinable()) m_fetching.join();
}

void ConnectDialog::fetchCertificate() {
    if (m_fetching.joinable()) m_fetching.join();
    m_fetch->setEnabled(false);
    m_fingerprint->setText(tr("Asking %1...").arg(m_address->text()));
    // The server may take its time to answer (or never): not on the UI thread.
    m_fetching = std::thread([this, address = m_address->text().trimmed().toStdString()] {
        auto fetched = remote::fetchServerCertificate(address);
        const auto pem = fetched.ok() ? QString::fromStdString(*fetched) : QString();
        const auto error = fetched.ok() ? QString() : QString::fromStdString(fetched.error().message);
        QMetaObject::invokeMethod(
            this,
            [this, pem, error] {
                m_fetch->setEnabled(true);
                if (pem.isEmpty()) {
                    m_fingerprint->setText(error);
                    return;
                }
                setCertificate(pem, tr("fetched from the server"));
            },
            Qt::QueuedConnection);
    });
}

void ConnectDialog::readCertificateFile() {
    const auto path =
        QFileDialog::getOpenFileName(this, tr("The server's certificate"), {}, tr("PEM certificates (*.crt *.pem);;All files (*)"));
    if (path.isEmpty()) return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_fingerprint->setText(tr("%1 cannot be read").arg(path));
        return;
    }
    setCertificate(QString::fromUtf8(file.readAll()), path);
}

void ConnectDialog::setCertificate(const QString& pem, const QString& from) {
    const auto fingerprint = remote::certificateFingerprint(pem.toStdString());
    if (!fingerprint.ok()) {
        m_certificate.clear();
        m_fingerprint->setText(tr("Not a certificate (%1)").arg(from));
    } else {
        m_certificate = pem;
        m_fingerprint->setText(QString::fromStdString(*fingerprint) + QStringLiteral(" (") + from + QStringLiteral(")"));
    }
    m_trust->setChecked(false);  // a new certificate is trusted only once confirmed
    updateOk();
}

void ConnectDialog::updateOk() {
    m_ok->setEnabled(!m_address->text().trimmed().isEmpty() && !m_token->text().trimmed().isEmpty() && !m_certificate.isEmpty() &&
                     m_trust->isChecked());
}

remote::RemoteOptions ConnectDialog::options() const {
    remote::RemoteOptions o;
    o.address = m_address->text().trimmed().toStdString();
    o.token = m_token->text().trimmed().toStdString();
    o.certificatePem = m_certificate.toStdString();
    return o;
}

bool ConnectDialog::remember() const {
    return m_remember->isChecked();
}

}  // namespace egmf::ui
