import type { Theme } from "vitepress";
import DefaultTheme from "vitepress/theme";
import TryIt from "./components/TryIt.vue";
import "./custom.css";

/** The default theme plus the components that the generated reference uses. */
const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("TryIt", TryIt);
  },
};

export default theme;
