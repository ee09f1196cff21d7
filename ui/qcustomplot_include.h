#pragma once
// The one way into qcustomplot.h (ARCHITECTURE.md): Debian's header uses `signals:`, `slots`,
// `emit` and `foreach`, which QT_NO_KEYWORDS (needed beside torch's headers) removes.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
