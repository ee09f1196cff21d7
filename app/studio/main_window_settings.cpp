// What the main window keeps between runs (QSettings): window geometry, dock layout and splitter
// positions, the last dataset and checkpoint, recent files. Everything is saved as it changes
// (the layout half a second after the last change), not only on close: a Studio killed with
// SIGKILL restarts as it was (tests/ui/studio_test.cpp, the crash test).
#include <QDockWidget>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QTimer>

#include "main_window.h"

namespace egmf::studio {

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // A first start: most of the screen (the panels need room), at most 1600 x 1000.
        if (const auto* display = screen()) {
            const QSize room = display->availableGeometry().size() * 0.9;
            resize(room.boundedTo(QSize(1600, 1000)).expandedTo(minimumSizeHint()));
        }
    }
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        // A first start: once the window has its size (dock sizes set before are lost), give the
        // dialogue list the width its names and counts need.
        QTimer::singleShot(0, this, [this] {
            if (auto* dock = findChild<QDockWidget*>(QStringLiteral("dialoguesDock")); dock && dock->widget()) {
                resizeDocks({dock}, {dock->widget()->sizeHint().width()}, Qt::Horizontal);
            }
        });
    }
    m_centreSplitter->restoreState(settings.value(QStringLiteral("window/centreSplitter")).toByteArray());
    m_gatesSplitter->restoreState(settings.value(QStringLiteral("window/gatesSplitter")).toByteArray());
    connect(m_centreSplitter, &QSplitter::splitterMoved, this, &MainWindow::scheduleLayoutSave);
    connect(m_gatesSplitter, &QSplitter::splitterMoved, this, &MainWindow::scheduleLayoutSave);
}

void MainWindow::watchLayout(QDockWidget* dock) {
    connect(dock, &QDockWidget::dockLocationChanged, this, &MainWindow::scheduleLayoutSave);
    connect(dock, &QDockWidget::topLevelChanged, this, &MainWindow::scheduleLayoutSave);
    connect(dock, &QDockWidget::visibilityChanged, this, &MainWindow::scheduleLayoutSave);
}

void MainWindow::scheduleLayoutSave() {
    if (!m_layoutSave) {
        m_layoutSave = new QTimer(this);
        m_layoutSave->setSingleShot(true);
        m_layoutSave->setInterval(500);  // a drag sends hundreds of moves: save once it settles
        connect(m_layoutSave, &QTimer::timeout, this, &MainWindow::saveLayout);
    }
    m_layoutSave->start();
}

void MainWindow::saveLayout() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/centreSplitter"), m_centreSplitter->saveState());
    settings.setValue(QStringLiteral("window/gatesSplitter"), m_gatesSplitter->saveState());
    settings.sync();
}

void MainWindow::saveSettings() {
    saveLayout();
    QSettings settings;
    settings.setValue(QStringLiteral("last/dataset"), m_session->annotations()->datasetPath());
    settings.setValue(QStringLiteral("last/checkpoint"), m_session->model()->checkpointPath());
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
