// Lets `tsc` type-check the theme entry; .vue files themselves are checked by Vue's compiler at
// build. The component type comes through vitepress, which owns the `vue` dependency.
declare module "*.vue" {
  const component: NonNullable<import("vitepress").Theme["Layout"]>;
  export default component;
}
