import type { Theme } from "vitepress";
import DefaultTheme from "vitepress/theme";
import TryIt from "./components/TryIt.vue";
import Layout from "./Layout.vue";
import "./custom.css";

/** The default theme plus the components that the home page and the generated reference use. */
const theme: Theme = {
  extends: DefaultTheme,
  Layout,
  enhanceApp({ app }) {
    app.component("TryIt", TryIt);
  },
};

export default theme;
