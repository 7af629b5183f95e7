/** The two contacts of organizations and entities, as printed and as held (a module without Node's, for the page too). */
export const CONTACTS = [
  { field: 'administrative_contact', key: 'administrativeContact' },
  { field: 'technical_contact', key: 'technicalContact' },
] as const;
export type ContactField = (typeof CONTACTS)[number]['field'];
