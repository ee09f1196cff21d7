#pragma once
// ConnectDialog: Engine > Connect to a server. The server's address, this client's token (from
// `egmf serve --add-client NAME`) and its certificate: fetched from the server or read from a
// file, shown by its SHA-256 fingerprint, which the user compares with the one the server printed
// and confirms before it is trusted (the client then trusts that certificate alone). Where the
// token will be kept is said before the user chooses to remember the server.

#include <QDialog>
#include <thread>

#include "egmf/remote/remote_engine.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace egmf::ui {

class ConnectDialog : public QDialog {
    Q_OBJECT
public:
    /// `address`, `certificatePem`: the server remembered last (may be empty); `keptIn`: where a
    /// remembered token goes, for the user to read.
    ConnectDialog(const QString& address, const QString& certificatePem, const QString& keptIn, QWidget* parent = nullptr);
    ~ConnectDialog() override;
    remote::RemoteOptions options() const;
    bool remember() const;
    /// The certificate as PEM (for tests and the settings).
    QString certificatePem() const { return m_certificate; }

private:
    void fetchCertificate();
    void readCertificateFile();
    void setCertificate(const QString& pem, const QString& from);
    void updateOk();

    QLineEdit *m_address, *m_token;
    QLabel *m_fingerprint, *m_keptIn;
    QCheckBox *m_trust, *m_remember;
    QPushButton *m_fetch, *m_ok;
    QString m_certificate;
    std::thread m_fetching;
};

}  // namespace egmf::ui
