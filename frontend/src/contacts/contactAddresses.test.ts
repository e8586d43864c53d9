import { describe, expect, it } from 'vitest';
import { addressesOf, addressPatch, withAdded, withLabel, withPrimary, withRemoved } from './contactAddresses';

const contact = {
  emails: [
    { email: 'home@example.com', label: 'home', primary: false },
    { email: 'work@example.com', label: 'work', primary: true },
  ],
  phones: [],
};

describe('contact addresses', () => {
  it('lists the primary first', () => {
    expect(addressesOf('emails', contact).map((a) => a.value)).toEqual(['work@example.com', 'home@example.com']);
  });

  it('builds the emails PATCH body with one primary after promoting another', () => {
    const list = withPrimary(addressesOf('emails', contact), 1);
    expect(addressPatch('emails', list)).toEqual({
      emails: [
        { email: 'work@example.com', label: 'work', primary: false },
        { email: 'home@example.com', label: 'home', primary: true },
      ],
    });
  });

  it('makes the first phone a contact gets its primary, and trims the label to null', () => {
    const list = withAdded(addressesOf('phones', contact), ' +1 555 0100 ', '  ');
    expect(addressPatch('phones', list)).toEqual({ phones: [{ phone: '+1 555 0100', label: null, primary: true }] });
  });

  it('adds a second address as not primary', () => {
    const list = withAdded(addressesOf('emails', contact), 'new@example.com', 'other');
    expect(list.filter((a) => a.primary).map((a) => a.value)).toEqual(['work@example.com']);
    expect(list[2]).toEqual({ value: 'new@example.com', label: 'other', primary: false });
  });

  it('promotes the next address when the primary is removed', () => {
    const list = withRemoved(addressesOf('emails', contact), 0);
    expect(list).toEqual([{ value: 'home@example.com', label: 'home', primary: true }]);
    expect(withRemoved(list, 0)).toEqual([]);
  });

  it('edits one label only', () => {
    const list = withLabel(addressesOf('emails', contact), 1, 'personal');
    expect(list.map((a) => a.label)).toEqual(['work', 'personal']);
  });
});
