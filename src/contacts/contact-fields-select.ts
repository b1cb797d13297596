/** Every field of a contact an operator reads (the API's contact and the console's contact page). */
export const contactFieldsSelect = {
  id: true,
  email: true,
  name: true,
  phone: true,
  company: true,
  jobTitle: true,
  industry: true,
  companyWebsite: true,
  productInterests: true,
  notes: true,
  source: true,
  lastContactAt: true,
  customerStatus: true,
  customerEndedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;
