import { describe, expect, it } from "vitest";
import { configDir } from "./paths.js";

describe("configDir", () => {
  const home = "/home/ada";
  it("follows each platform's convention", () => {
    expect(configDir({ env: {}, platform: "linux", home })).toBe("/home/ada/.config/fluxra");
    expect(configDir({ env: { XDG_CONFIG_HOME: "/xdg" }, platform: "linux", home })).toBe(
      "/xdg/fluxra",
    );
    expect(configDir({ env: {}, platform: "darwin", home })).toBe(
      "/home/ada/Library/Application Support/fluxra",
    );
    expect(
      configDir({ env: { APPDATA: "C:/Users/ada/AppData/Roaming" }, platform: "win32", home }),
    ).toMatch(/AppData[\\/]Roaming[\\/]fluxra$/);
  });

  it("ignores a relative XDG_CONFIG_HOME (the XDG spec says so) and honours FLUXRA_CONFIG_DIR", () => {
    expect(configDir({ env: { XDG_CONFIG_HOME: "rel" }, platform: "linux", home })).toBe(
      "/home/ada/.config/fluxra",
    );
    expect(configDir({ env: { FLUXRA_CONFIG_DIR: "/tmp/x" }, platform: "darwin", home })).toBe(
      "/tmp/x",
    );
  });
});
