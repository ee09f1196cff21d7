#include "plot_export.h"

#include <QFileDialog>
#include <QMessageBox>

#include "qcustomplot_include.h"

namespace egmf::ui {

bool exportPlot(QCustomPlot* plot, const QString& path, QString* error) {
    bool ok = false;
    if (path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)) {
        ok = plot->savePdf(path);
    } else if (path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
        ok = plot->savePng(path, 0, 0, 2.0);
    } else if (error) {
        *error = path + QStringLiteral(": choose a .png or .pdf file name");
        return false;
    }
    if (!ok && error) *error = path + QStringLiteral(": could not be written (check the folder exists and is writable)");
    return ok;
}

void exportPlotInteractively(QCustomPlot* plot, QWidget* parent, const QString& suggestedName) {
    const auto path = QFileDialog::getSaveFileName(parent, QObject::tr("Export plot"), suggestedName,
                                                   QObject::tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    QString error;
    if (!exportPlot(plot, path, &error)) QMessageBox::warning(parent, QObject::tr("Export failed"), error);
}

}  // namespace egmf::ui
