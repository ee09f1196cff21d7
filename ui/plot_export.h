#pragma once
// Saving a plot as PNG or PDF (chosen by the file's suffix), with a file dialog for the views'
// Export buttons. Errors name the file.

#include <QString>

class QCustomPlot;
class QWidget;

namespace egmf::ui {

/// Writes `plot` to `path` (.png at 2x scale, or .pdf); false with `error` set when it fails.
bool exportPlot(QCustomPlot* plot, const QString& path, QString* error = nullptr);
/// Asks where to save (PNG or PDF) and writes; reports failures in a message box.
void exportPlotInteractively(QCustomPlot* plot, QWidget* parent, const QString& suggestedName);

}  // namespace egmf::ui
