package android.accounts;

/** Fake {@code android.accounts.Account}. */
public class Account {
    public final String name;
    public final String type;

    public Account(String name, String type) {
        this.name = name;
        this.type = type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Account a && name.equals(a.name) && type.equals(a.type);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + type.hashCode();
    }

    @Override
    public String toString() {
        return "Account {name=" + name + ", type=" + type + "}";
    }
}
