// Lets `tsc` type-check the theme entry; .vue files themselves are checked by Vue's compiler at build.
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
