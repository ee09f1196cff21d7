#pragma once
// Checkpoints and plugins: the plugins found (name, version, formats, state and why; read from
// their metadata before any of their code loads, first loads probed in a child process), the
// plugin folders (saved in settings), and a checkpoint picked from the bundled and recently used
// ones or chosen as a folder or file: its manifest
// (architecture, task, labels, LLM, LoRA, provenance, memory estimate) shown before loading, then
// loaded onto the CPU or CUDA in the background with progress.

#include <QWidget>

#include "egmf/checkpoint_info.h"
#include "studio_session.h"

class QComboBox;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTextBrowser;

namespace egmf::ui {

class PluginPanel : public QWidget {
    Q_OBJECT
public:
    explicit PluginPanel(StudioSession* session, QWidget* parent = nullptr);
    /// Shows the plugins again (after folders changed).
    void refresh();
    /// Inspects `path` through its plugin and shows the manifest; false (with the reason shown)
    /// when no plugin reads it.
    bool inspect(const QString& path);
    void load();
    QString summaryText() const;
    QTableWidget* table() const { return m_table; }
    /// The checkpoints offered in the picker: bundled ones first, then the recently used.
    QStringList choices() const;

private:
    void addFolder();
    /// Fills the picker again: <share>/checkpoints/* and the "recentCheckpoints" setting.
    void refreshChoices();
    StudioSession* m_session;
    QTableWidget* m_table;
    QComboBox* m_path;
    QTextBrowser* m_summary;
    QComboBox* m_device;
    QPushButton* m_load;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
};

/// A manifest as readable HTML (the panel's summary).
QString describeCheckpoint(const CheckpointInfo& info, const QString& plugin);

}  // namespace egmf::ui
