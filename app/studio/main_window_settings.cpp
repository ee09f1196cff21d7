// What the main window keeps between runs (QSettings): window geometry and dock layout, the last
// dataset and checkpoint, recent files.
#include <QSettings>

#include "main_window.h"

namespace egmf::studio {

void MainWindow::restoreSettings() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveSettings() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("last/dataset"), m_session->datasetPath());
    settings.setValue(QStringLiteral("last/checkpoint"), m_session->checkpointPath());
    settings.sync();
}

void MainWindow::addRecent(const QString& key, const QString& path) {
    QSettings settings;
    auto list = settings.value(key).toStringList();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > 8) list.removeLast();
    settings.setValue(key, list);
    // The layout and the last files are saved as they change, so a crash loses nothing of them.
    saveSettings();
}

}  // namespace egmf::studio
