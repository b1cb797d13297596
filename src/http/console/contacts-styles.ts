/** Style sheets of the lists, contacts and privacy pages: the shared tabs, badges and facts, then ours. */
export const contactsStyles = ["inbox-mailboxes.css", "contacts.css"];
