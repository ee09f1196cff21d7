#pragma once
// The dialogue browser's filters, over DialogueTreeModel: a dialogue shows when any of its
// utterances passes every active criterion (wrong predictions only, gold class, predicted class,
// speaker, confidence below a threshold, text containing the search). Splits and the dataset
// show when any dialogue under them does (recursive filtering).

#include <QSortFilterProxyModel>

#include "studio_session.h"

namespace egmf::ui {

struct UtteranceFilter {
    bool errorsOnly = false;
    QString gold, predicted, speaker, text;  ///< empty: any
    double maxConfidence = 1.0;              ///< below 1: only predictions at most this confident
    bool active() const {
        return errorsOnly || !gold.isEmpty() || !predicted.isEmpty() || !speaker.isEmpty() || !text.isEmpty() || maxConfidence < 1.0;
    }
    bool accepts(const Utterance& utterance, const UtteranceResult* result) const;
};

class DialogueFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    DialogueFilterModel(StudioSession* session, QObject* parent = nullptr);
    void setFilter(const UtteranceFilter& filter);
    const UtteranceFilter& filter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    StudioSession* m_session;
    UtteranceFilter m_filter;
};

}  // namespace egmf::ui
