import { useEffect, useState } from "react";
import { IconButton, InputAdornment, TextField } from "@mui/material";
import ClearIcon from "@mui/icons-material/Clear";
import SearchIcon from "@mui/icons-material/Search";
import { useDebounced } from "./useDebounced";

/** A search box that reports its text after the user pauses typing. */
export function SearchField({
  value,
  onChange,
  placeholder = "Search",
  width = 320,
  label,
}: {
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  width?: number | string;
  label?: string;
}) {
  const [text, setText] = useState(value);
  const debounced = useDebounced(text, 300);
  // a value changed from outside (a "Clear" button) shows in the box
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (value !== text) setText(value);
  }
  useEffect(() => {
    if (debounced !== value) onChange(debounced);
    // only the debounced text drives the change
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  return (
    <TextField
      value={text}
      onChange={(e) => setText(e.target.value)}
      placeholder={placeholder}
      sx={{ width, bgcolor: "background.paper" }}
      slotProps={{
        htmlInput: { "aria-label": label ?? placeholder },
        input: {
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
          endAdornment: text ? (
            <InputAdornment position="end">
              <IconButton size="small" aria-label="clear search" onClick={() => setText("")}>
                <ClearIcon fontSize="small" />
              </IconButton>
            </InputAdornment>
          ) : undefined,
        },
      }}
    />
  );
}
