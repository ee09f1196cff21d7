#include "label_palette.h"

#include <algorithm>
#include <map>

namespace egmf::ui {

QColor labelColor(const std::string& label, const std::vector<std::string>& labels) {
    static const std::map<std::string, QColor> kEmotions = {
        {"neutral", QColor(150, 150, 150)}, {"joy", QColor(240, 190, 40)},     {"surprise", QColor(240, 130, 40)},
        {"anger", QColor(215, 50, 45)},     {"sadness", QColor(60, 110, 200)}, {"fear", QColor(140, 80, 180)},
        {"disgust", QColor(70, 150, 80)},
    };
    if (auto it = kEmotions.find(label); it != kEmotions.end()) return it->second;
    static const QColor kCycle[] = {QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
                                    QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
                                    QColor(188, 189, 34),  QColor(23, 190, 207)};
    const auto at = std::find(labels.begin(), labels.end(), label);
    if (at == labels.end()) return QColor(90, 90, 90);  // unparsable, unknown
    return kCycle[static_cast<std::size_t>(at - labels.begin()) % std::size(kCycle)];
}

QColor scoreColor(double score, double minimum, double maximum) {
    const double t = std::clamp((score - minimum) / (maximum - minimum), 0.0, 1.0);
    const QColor negative(200, 50, 45), middle(160, 160, 160), positive(50, 160, 70);
    const auto mix = [](const QColor& a, const QColor& b, double u) {
        return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * u),
                                static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * u),
                                static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * u));
    };
    return t < 0.5 ? mix(negative, middle, t * 2) : mix(middle, positive, (t - 0.5) * 2);
}

QColor expertColor(int expert) {
    static const QColor kExperts[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44)};
    return kExperts[std::clamp(expert, 0, 2)];
}

QColor alphaColor() {
    return QColor(60, 60, 60);
}

QString expertName(int expert) {
    static const char* kNames[] = {"local", "semantic", "global"};
    return QString::fromLatin1(kNames[std::clamp(expert, 0, 2)]);
}

QString modalityName(int modality) {
    static const char* kNames[] = {"text", "audio", "visual"};
    return QString::fromLatin1(kNames[std::clamp(modality, 0, 2)]);
}

}  // namespace egmf::ui
