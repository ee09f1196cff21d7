#pragma once
// TokenStore: where the Studio keeps the token of a server it connects to. The system keyring (the
// Secret Service on D-Bus, through qtkeychain) when one runs; where none does (a bare X session,
// CI, a server without a desktop) a file only the user can read, and the caller says so. Never
// the settings file, which backups and dotfile repositories copy around.

#include <QString>

#include "egmf/result.h"

namespace egmf::ui {

class TokenStore {
public:
    enum class Place { Keyring, File };
    /// `fallbackFile`: the 0600 file used without a keyring (default: defaultFile()).
    explicit TokenStore(QString fallbackFile = defaultFile());
    /// $XDG_CONFIG_HOME/egmf-studio/server-tokens.json
    static QString defaultFile();

    /// Keeps `token` for `server`; says where it went.
    Result<Place> save(const QString& server, const QString& token);
    /// The token kept for `server` (keyring first); NotFound when there is none.
    Result<QString> load(const QString& server);
    void forget(const QString& server);
    const QString& fallbackFile() const { return m_file; }

private:
    Result<void> writeFile(const QString& server, const QString* token);
    QString m_file;
};

}  // namespace egmf::ui
