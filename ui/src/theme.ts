// Follow the host's color mode: Airflow's Chakra setup toggles a "dark" class (and
// data-theme / color-scheme) on <html>. Standalone, fall back to the OS preference.
import { useEffect, useState } from "react";

export function isDark(): boolean {
  if (typeof document === "undefined") return false;
  const html = document.documentElement;
  if (html.classList.contains("dark") || html.dataset.theme === "dark" || html.style.colorScheme === "dark")
    return true;
  if (html.classList.contains("light") || html.dataset.theme === "light") return false;
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

export function useColorMode(): "light" | "dark" {
  const [dark, setDark] = useState(isDark);
  useEffect(() => {
    const observer = new MutationObserver(() => setDark(isDark()));
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["class", "style", "data-theme"],
    });
    return () => observer.disconnect();
  }, []);
  return dark ? "dark" : "light";
}
