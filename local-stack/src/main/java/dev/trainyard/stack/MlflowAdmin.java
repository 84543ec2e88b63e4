package dev.trainyard.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The admin of a local MLflow started with its basic-auth app ({@code dev up --mlflow-auth}), and
 * the key its workers share to sign forms. Generated once per state folder and kept in {@code
 * mlflow-admin}, readable only by its owner, like the S3 store's {@link LocalCredentials}.
 *
 * @param username the admin user MLflow creates on its first start
 * @param password at least 12 characters, as MLflow requires
 * @param flaskSecretKey {@code MLFLOW_FLASK_SERVER_SECRET_KEY}, which the auth app refuses to start
 *     without
 */
public record MlflowAdmin(String username, String password, String flaskSecretKey) {
  public static final String FILE = "mlflow-admin";

  public static MlflowAdmin random() {
    return new MlflowAdmin("admin", LocalCredentials.hex(16), LocalCredentials.hex(24));
  }

  public static MlflowAdmin loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    try {
      Properties p =
          PrivateFile.loadOrCreate(
              stateDir,
              FILE,
              () -> {
                MlflowAdmin a = random();
                return "# Admin of the local MLflow (basic auth), made by `trainyard dev up"
                    + " --mlflow-auth`. Keep private.\n"
                    + "username="
                    + a.username
                    + "\npassword="
                    + a.password
                    + "\nflask_secret_key="
                    + a.flaskSecretKey
                    + "\n";
              });
      String user = p.getProperty("username");
      String pass = p.getProperty("password");
      String key = p.getProperty("flask_secret_key");
      if (user == null || user.isBlank() || pass == null || pass.isBlank() || key == null) {
        throw new StackException(
            file + " is incomplete (username, password, flask_secret_key).",
            "Stop the stack (`trainyard dev down`), delete " + file + " and start it again.");
      }
      return new MlflowAdmin(user, pass, key);
    } catch (IOException e) {
      throw new StackException(
          "Cannot read or create " + file + ": " + e.getMessage() + ".",
          "Check that " + stateDir + " is writable.",
          e);
    }
  }

  @Override
  public String toString() {
    return "MlflowAdmin[username=" + username + "]";
  }
}
