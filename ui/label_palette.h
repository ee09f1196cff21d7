#pragma once
// Colours for classes and scores, the same in every view: the table's shading, the timeline's
// segments, the probability bars and the confusion matrix. The seven MELD emotions get fixed
// colours (so a screenshot of one dataset reads like another); other labels cycle a palette; MSA
// scores run from red (-3) through grey (0) to green (+3).

#include <QColor>
#include <QString>
#include <string>
#include <vector>

namespace egmf::ui {

QColor labelColor(const std::string& label, const std::vector<std::string>& labels);
QColor scoreColor(double score, double minimum = -3.0, double maximum = 3.0);
/// The three experts (local, semantic, global) and alpha, in the gate plots and bars.
QColor expertColor(int expert);
QColor alphaColor();
QString expertName(int expert);
QString modalityName(int modality);

}  // namespace egmf::ui
