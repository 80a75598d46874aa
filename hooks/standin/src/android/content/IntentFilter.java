package android.content;

import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.content.IntentFilter}: the actions a receiver is registered for. */
public class IntentFilter {
    private final List<String> mActions = new ArrayList<>();

    public IntentFilter() {}

    public IntentFilter(String action) {
        mActions.add(action);
    }

    public final void addAction(String action) {
        mActions.add(action);
    }

    public final int countActions() {
        return mActions.size();
    }

    public final String getAction(int index) {
        return mActions.get(index);
    }

    public final boolean hasAction(String action) {
        return mActions.contains(action);
    }
}
