/** Client-side checks that mirror the backend's UserCreate schema; the server's answer still wins. */
export interface UserForm {
  username: string;
  first_name: string;
  last_name: string;
  email: string;
  password: string;
  roles: string[];
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateUser(form: UserForm): Partial<Record<keyof UserForm, string>> {
  const errors: Partial<Record<keyof UserForm, string>> = {};
  if (!form.username) errors.username = "Choose a username";
  else if (!USERNAME_PATTERN.test(form.username))
    errors.username = "2–63 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (!form.first_name.trim()) errors.first_name = "Enter a first name";
  if (!form.last_name.trim()) errors.last_name = "Enter a last name";
  if (!form.email) errors.email = "Enter an e-mail address";
  else if (!EMAIL_PATTERN.test(form.email)) errors.email = "Enter a valid e-mail address, like name@example.com";
  if (form.password.length < 8) errors.password = "At least 8 characters";
  if (form.roles.length === 0) errors.roles = "Pick at least one role";
  return errors;
}
