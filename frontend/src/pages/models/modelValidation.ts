import type { Framework, TaskType } from "../../api/registry";

export interface ModelForm {
  name: string;
  description: string;
  department: string;
  geography: string;
  framework: Framework;
  task_type: TaskType;
  tags: string;
}

export const EMPTY_MODEL: ModelForm = { name: "", description: "", department: "", geography: "", framework: "other", task_type: "other", tags: "" };
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-]$/;
const TAG = /^[a-z0-9][a-z0-9 ._:+-]{0,49}$/;

export function splitTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

export function validateModel(form: ModelForm): Partial<Record<keyof ModelForm, string>> {
  const errors: Partial<Record<keyof ModelForm, string>> = {};
  if (!form.name.trim()) errors.name = "Give the model a name";
  else if (!NAME.test(form.name.trim()))
    errors.name = "2–100 characters: letters, digits, spaces, '.', '_' or '-', starting with a letter or digit";
  const bad = splitTags(form.tags).find((t) => !TAG.test(t));
  if (bad) errors.tags = `"${bad}" is not a valid tag: letters, digits and ' ._:+-', up to 50 characters`;
  if (form.description.length > 5000) errors.description = "At most 5,000 characters";
  return errors;
}
